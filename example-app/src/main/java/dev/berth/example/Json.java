package dev.berth.example;

import java.util.Map;

/** A tiny JSON object writer: {@code Json.object().field("a", 1).raw("b", "[1]").build()}. */
final class Json {
    private final StringBuilder out = new StringBuilder("{");
    private boolean empty = true;

    private Json() {
    }

    static Json object() {
        return new Json();
    }

    /** Adds a field; the value may be null, a String, Number, Boolean, Map (nested object) or Json. */
    Json field(String name, Object value) {
        name(name);
        value(out, value);
        return this;
    }

    /** Adds a field whose value is already valid JSON text. */
    Json raw(String name, String json) {
        name(name);
        out.append(json);
        return this;
    }

    String build() {
        return out + "}";
    }

    @Override
    public String toString() {
        return build();
    }

    private void name(String name) {
        if (!empty) {
            out.append(',');
        }
        empty = false;
        quote(out, name);
        out.append(':');
    }

    private static void value(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            quote(out, s);
        } else if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
            out.append("null");
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Json json) {
            out.append(json.build());
        } else if (value instanceof Map<?, ?> map) {
            Json nested = object();
            map.forEach((k, v) -> nested.field(String.valueOf(k), v));
            out.append(nested.build());
        } else {
            quote(out, value.toString());
        }
    }

    /** Appends {@code s} as a JSON string literal, escaping quotes, backslashes and control characters. */
    static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        quote(out, s);
        return out.toString();
    }
}
