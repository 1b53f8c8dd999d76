package io.ihsm.verify;

import io.ihsm.device.boundary.FirmwareBoundaryCheck;

/** The verifier, and the SDK its tests use to make real reports, hold no firmware class. */
class FirmwareBoundaryTest extends FirmwareBoundaryCheck {}
