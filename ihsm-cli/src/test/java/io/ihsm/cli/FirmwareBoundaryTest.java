package io.ihsm.cli;

import io.ihsm.device.boundary.FirmwareBoundaryCheck;

/** The command line tool holds no firmware class (it embeds the device, which loads the image). */
class FirmwareBoundaryTest extends FirmwareBoundaryCheck {}
