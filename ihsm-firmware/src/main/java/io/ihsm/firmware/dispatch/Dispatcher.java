package io.ihsm.firmware.dispatch;

import io.ihsm.ddi.BodyReader;
import io.ihsm.ddi.DdiException;
import io.ihsm.ddi.Frames;
import io.ihsm.ddi.Opcode;
import io.ihsm.ddi.RequestRules;
import io.ihsm.ddi.ResponseHeader;
import io.ihsm.ddi.Status;
import io.ihsm.ddi.message.BatchRequest;
import io.ihsm.ddi.message.BatchResponse;
import io.ihsm.ddi.message.DeviceState;
import io.ihsm.ddi.spi.ClientBinding;
import io.ihsm.ddi.spi.CorruptRecordException;
import io.ihsm.ddi.spi.Port;
import io.ihsm.firmware.audit.AuditLog;
import io.ihsm.firmware.session.Session;
import io.ihsm.firmware.session.SessionTable;
import io.ihsm.firmware.state.DeviceStateMachine;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a request frame into exactly one handler call and its result into a response frame. Every
 * check that is common to all opcodes happens here, in a fixed order (frame, header rules, device
 * state, session), and every failure becomes a status in this one place.
 */
public final class Dispatcher {
  private final DeviceStateMachine state;
  private final SessionTable sessions;
  private final Map<Opcode, Handler> handlers;
  private final AuditLog audit;

  /**
   * Outcomes the audit log records: authentication, key life cycle, partitions, and module
   * services. Unloading a key is not among them: it only empties a cache slot (the key's blob stays
   * valid), and a busy partition unloads keys constantly, which would fill the log between exports.
   * Nor is REMASK, for the same reason: a rotation re-masks every blob (DOMAIN_ROTATE and
   * DOMAIN_RETIRE_EPOCH, which start and end it, are audited).
   */
  static final Set<Opcode> AUDITED =
      EnumSet.of(
          Opcode.INIT_CRYPTO_OFFICER,
          Opcode.OPEN_SESSION,
          Opcode.CREATE_PARTITION,
          Opcode.DELETE_PARTITION,
          Opcode.UNLOCK_CREDENTIAL,
          Opcode.PROVISION_PARTITION,
          Opcode.REESTABLISH_PARTITION,
          Opcode.CHANGE_PIN,
          Opcode.OWNER_SET_PIN,
          Opcode.OWNER_REINIT_PARTITION,
          Opcode.GENERATE_KEY,
          Opcode.IMPORT_KEY,
          Opcode.IMPORT_PUBLIC_KEY,
          Opcode.WRAP_KEY,
          Opcode.UNWRAP_KEY,
          Opcode.DERIVE_KEY,
          Opcode.ROTATE_KEY,
          Opcode.SET_KEY_STATE,
          Opcode.RUN_SELF_TESTS,
          Opcode.TAMPER,
          Opcode.ZEROIZE,
          Opcode.REINITIALIZE,
          Opcode.RESET_DEVICE,
          Opcode.FIRMWARE_UPDATE_FINISH,
          Opcode.COMMIT_FIRMWARE_SVN,
          Opcode.SET_APPROVED_MODE,
          Opcode.MANUFACTURE,
          Opcode.INSTALL_DEVICE_CERTIFICATES,
          Opcode.ATTEST_KEY,
          Opcode.ATTEST_DEVICE,
          Opcode.GET_COMPLIANCE_REPORT,
          Opcode.DOMAIN_CREATE,
          Opcode.DOMAIN_JOIN_REQUEST,
          Opcode.DOMAIN_ADMIT,
          Opcode.DOMAIN_JOIN_COMPLETE,
          Opcode.DOMAIN_CONFIRM,
          Opcode.ADOPT_PARTITION,
          Opcode.DOMAIN_ROTATE,
          Opcode.DOMAIN_RETIRE_EPOCH,
          Opcode.DOMAIN_REVOKE,
          Opcode.DOMAIN_BACKUP,
          Opcode.DOMAIN_RESTORE);

  /**
   * @param audit null when the module came up without one (no entropy: status only)
   */
  public Dispatcher(
      DeviceStateMachine state,
      SessionTable sessions,
      Map<Opcode, Handler> handlers,
      AuditLog audit) {
    this.state = state;
    this.sessions = sessions;
    this.handlers = new EnumMap<>(handlers);
    this.audit = audit;
  }

  /**
   * Never throws: a bad request gets an error response carrying its request id when readable. An
   * audited outcome is written to the audit log; a refusal is only counted there (a summary entry),
   * except a failed authentication, which is written (PIN throttling and lockout bound them).
   */
  public byte[] process(Port port, ClientBinding client, byte[] frame) {
    int requestId = Frames.requestIdOf(frame);
    Frames.Request request = null;
    Opcode op = null;
    Status status = Status.INTERNAL_ERROR;
    String auditDetail = "";
    try {
      request = Frames.decodeRequest(frame);
      op = RequestRules.check(request.header(), port);
      boolean officerLogin = port.isManagement() && op == Opcode.OPEN_SESSION;
      if (audit != null
          && AUDITED.contains(op)
          && !officerLogin
          && !audit.hasRoom(port.isManagement())) {
        // Refuse rather than forget: the Crypto Officer's requests draw on a reserve, and logging
        // in on the management port is always recorded, so the Crypto Officer can always export.
        throw new DdiException(Status.AUDIT_LOG_FULL, "the audit log must be exported first");
      }
      Reply reply = serve(port, client, op, request);
      status = Status.SUCCESS;
      auditDetail = reply.auditDetail();
      return Frames.encodeResponse(
          new ResponseHeader(Status.SUCCESS, reply.approved(), requestId), reply.body()::writeTo);
    } catch (DdiException e) {
      status = e.status();
      // The refusal's reason goes back with it: shapes and names, never secrets (the handlers'
      // rule).
      return Frames.errorResponse(e.status(), requestId, e.getMessage());
    } catch (CorruptRecordException e) {
      // Stored state that does not read back as written: stop, naming the record, never guess.
      state.fail(e.getMessage());
      return Frames.errorResponse(Status.DEVICE_NOT_OPERATIONAL, requestId, e.getMessage());
    } catch (RuntimeException e) {
      // A handler bug must not take the device down or leak details; the caller sees a status.
      return Frames.errorResponse(Status.INTERNAL_ERROR, requestId);
    } finally {
      if (audit != null && op != null && AUDITED.contains(op)) {
        if (status == Status.SUCCESS || status == Status.AUTHENTICATION_FAILED) {
          record(op, port, request.header().sessionId(), status, auditDetail);
        } else {
          audit.refused(op.name(), status.name());
        }
      } else if (audit != null
          && status == Status.NEEDS_RENEGOTIATION
          && op != null
          && op.sessionRule() == Opcode.SessionRule.REQUIRED) {
        // A request naming a session that is not this client's: counted, so probing shows in the
        // log.
        audit.refused("SESSION_LOOKUP", status.name());
      }
    }
  }

  private Reply serve(Port port, ClientBinding client, Opcode op, Frames.Request request)
      throws DdiException {
    boolean served =
        switch (op.availability()) {
          case ALWAYS -> true;
          case OPERATIONAL -> state.isOperational();
          case RECOVERY ->
              state.isOperational()
                  || state.state() == DeviceState.TAMPERED
                  || state.state() == DeviceState.ZEROIZED;
        };
    if (!served) {
      throw new DdiException(Status.DEVICE_NOT_OPERATIONAL, "device is " + state.state());
    }
    Optional<Session> session = Optional.empty();
    if (op.sessionRule() == Opcode.SessionRule.REQUIRED) {
      int id = request.header().sessionId();
      // One status whether the id never existed, predates a reset, expired or is another client's:
      // the answer tells an outsider nothing, and the owner's SDK simply opens a new session.
      Session s =
          sessions
              .find(port, client, id)
              .orElseThrow(
                  () ->
                      new DdiException(
                          Status.NEEDS_RENEGOTIATION,
                          "no session " + Integer.toHexString(id) + " for this client on " + port));
      if (!s.revision().equals(request.header().revision())) {
        throw new DdiException(
            Status.API_REVISION_MISMATCH,
            "session agreed revision "
                + s.revision()
                + ", request carries "
                + request.header().revision());
      }
      session = Optional.of(s);
    }
    if (op == Opcode.BATCH) {
      return batch(port, client, request.body());
    }
    Handler handler = handlers.get(op);
    if (handler == null) {
      throw new DdiException(Status.UNKNOWN_OPCODE, op + " is not implemented by this firmware");
    }
    return handler.handle(
        new RequestContext(port, client, request.header(), session), request.body());
  }

  /**
   * Each request of a batch, in order, exactly as if it had come alone (its own header rules,
   * session, audit and status); the batch is approved when every request it served was. The whole
   * batch is checked first (count, opcodes, answer size), so it runs whole or not at all.
   */
  private Reply batch(Port port, ClientBinding client, BodyReader body) throws DdiException {
    BatchRequest batch = BatchRequest.read(body);
    List<byte[]> answers = new ArrayList<>(batch.frames().size());
    boolean approved = true;
    for (byte[] frame : batch.frames()) {
      byte[] answer = process(port, client, frame);
      approved &= !Frames.isSuccess(answer) || Frames.isApproved(answer);
      answers.add(answer);
    }
    return new Reply(new BatchResponse(answers), approved);
  }

  private void record(Opcode op, Port port, int sessionId, Status status, String detail) {
    audit.record(
        op.name(),
        port
            + " session="
            + Integer.toHexString(sessionId)
            + " status="
            + status
            + (detail.isEmpty() ? "" : " " + detail));
  }
}
