package io.ihsm.jca;

import io.ihsm.device.boundary.FirmwareBoundaryCheck;

/** An application with the IHSM provider on its class path holds no firmware class. */
class FirmwareBoundaryTest extends FirmwareBoundaryCheck {}
