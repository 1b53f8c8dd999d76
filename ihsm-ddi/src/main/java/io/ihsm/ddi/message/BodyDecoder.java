package io.ihsm.ddi.message;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.DdiException;

/** Decodes one message type; implementations read every field and then call {@code end()}. */
@FunctionalInterface
public interface BodyDecoder<T> {
  T read(BodyReader r) throws DdiException;
}
