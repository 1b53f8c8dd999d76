package io.ihsm.firmware.session;

import io.ihsm.ddi.ApiRevision;
import io.ihsm.ddi.spi.Port;

/** An open session: which partition port it belongs to and the API revision agreed when it opened. */
public record Session(int id, Port port, ApiRevision revision) {}
