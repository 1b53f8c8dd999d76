package io.ihsm.ddi.spi;

/**
 * A non-volatile record is missing, short, altered or otherwise not what was stored: the module
 * must not guess a value for it (a count read as 0, a secret made anew), but stop in ERROR with
 * this message, which names the record.
 */
public final class CorruptRecordException extends IllegalStateException {
  private final String record;

  public CorruptRecordException(String record, String problem) {
    super("non-volatile record '" + record + "' " + problem);
    this.record = record;
  }

  /** The name of the record. */
  public String record() {
    return record;
  }
}
