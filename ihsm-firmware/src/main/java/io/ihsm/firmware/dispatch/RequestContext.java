package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.RequestHeader;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.session.Session;
import java.util.Optional;

/** What a handler knows about its request: the port it came in on, its header and its session. */
public record RequestContext(Port port, RequestHeader header, Optional<Session> session) {}
