package dev.berth.core;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.query.Sequence;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Reads the journal back, for auditors and for the list of apps: one app's events in order, or
 * every app's in the order they were written. Reads the database only; never wakes an app or
 * starts a container.
 */
public final class EventLog {
  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;

  /** The read journal that suits reading everything from the start, in large batches. */
  static final String BULK_READ_JOURNAL = "berth-directory-read-journal";

  public EventLog(ActorSystem<?> system) {
    this(system, JdbcReadJournal.Identifier());
  }

  /** @param readJournal the configuration path of the read journal plugin to query */
  EventLog(ActorSystem<?> system, String readJournal) {
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, readJournal);
  }

  /** One event as it stands in the journal. */
  public record RecordedEvent(
      String appId, long sequenceNr, long offset, long timestamp, AppEntity.Event event) {

    /** The event's type name, as auditors see it: ContainerStarted, MetadataSet, ... */
    public String type() {
      return event.getClass().getSimpleName();
    }
  }

  /** Events of {@code appId} from sequence number {@code from} on, at most {@code limit}. */
  public CompletionStage<List<RecordedEvent>> eventsOf(String appId, long from, int limit) {
    String persistenceId = AppEntity.ENTITY_KEY.name() + "|" + appId;
    return journal.currentEventsByPersistenceId(persistenceId, Math.max(1, from), Long.MAX_VALUE)
        .take(limit)
        .map(EventLog::recorded)
        .runWith(Sink.seq(), system);
  }

  /** Every app's events written after {@code offset}, in journal order, at most {@code limit}. */
  public CompletionStage<List<RecordedEvent>> allEvents(long offset, int limit) {
    return journal.currentEventsByTag(AppEntity.EVENT_TAG, new Sequence(offset))
        .take(limit)
        .map(EventLog::recorded)
        .runWith(Sink.seq(), system);
  }

  /** Every app's events written after {@code offset}, and then each new one as it is written. */
  public Source<RecordedEvent, NotUsed> follow(long offset) {
    return journal.eventsByTag(AppEntity.EVENT_TAG, new Sequence(offset)).map(EventLog::recorded);
  }

  private static RecordedEvent recorded(EventEnvelope envelope) {
    String persistenceId = envelope.persistenceId();
    long offset = envelope.offset() instanceof Sequence sequence ? sequence.value() : 0;
    return new RecordedEvent(
        persistenceId.substring(persistenceId.indexOf('|') + 1),
        envelope.sequenceNr(),
        offset,
        envelope.timestamp(),
        (AppEntity.Event) envelope.event());
  }
}
