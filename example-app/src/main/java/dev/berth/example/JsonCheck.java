package dev.berth.example;

/** Tells whether a text is one well-formed JSON value, so /api/echo can embed it as is. */
final class JsonCheck {
    private static final int MAX_DEPTH = 200;

    private final String s;
    private int i;

    private JsonCheck(String s) {
        this.s = s;
    }

    static boolean isJson(String text) {
        JsonCheck check = new JsonCheck(text);
        try {
            check.value(0);
            check.space();
            return check.i == text.length();
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return false;
        }
    }

    private void value(int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("too deep");
        }
        space();
        char c = s.charAt(i);
        switch (c) {
            case '{' -> members('}', depth, true);
            case '[' -> members(']', depth, false);
            case '"' -> string();
            case 't' -> word("true");
            case 'f' -> word("false");
            case 'n' -> word("null");
            default -> number();
        }
    }

    /** Parses an object (named members) or an array, starting at its opening bracket. */
    private void members(char close, int depth, boolean named) {
        i++;
        space();
        if (s.charAt(i) == close) {
            i++;
            return;
        }
        while (true) {
            if (named) {
                space();
                string();
                space();
                expect(':');
            }
            value(depth + 1);
            space();
            char c = s.charAt(i++);
            if (c == close) {
                return;
            }
            if (c != ',') {
                throw new IllegalArgumentException("expected , or " + close);
            }
        }
    }

    private void string() {
        expect('"');
        while (true) {
            char c = s.charAt(i++);
            if (c == '"') {
                return;
            }
            if (c < 0x20) {
                throw new IllegalArgumentException("control character in string");
            }
            if (c == '\\') {
                char e = s.charAt(i++);
                if (e == 'u') {
                    for (int k = 0; k < 4; k++) {
                        if (Character.digit(s.charAt(i++), 16) < 0) {
                            throw new IllegalArgumentException("bad \\u escape");
                        }
                    }
                } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                    throw new IllegalArgumentException("bad escape");
                }
            }
        }
    }

    private void number() {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        if (peek() == '0') {
            i++;
        } else {
            digits();
        }
        if (peek() == '.') {
            i++;
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            digits();
        }
        if (i == start) {
            throw new IllegalArgumentException("not a value");
        }
    }

    private void digits() {
        int start = i;
        while (peek() >= '0' && peek() <= '9') {
            i++;
        }
        if (i == start) {
            throw new IllegalArgumentException("digit expected");
        }
    }

    private void word(String w) {
        if (!s.startsWith(w, i)) {
            throw new IllegalArgumentException("expected " + w);
        }
        i += w.length();
    }

    private void expect(char c) {
        if (s.charAt(i++) != c) {
            throw new IllegalArgumentException("expected " + c);
        }
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private void space() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
    }
}
