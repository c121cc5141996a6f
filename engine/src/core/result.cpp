// SPDX-License-Identifier: GPL-3.0-or-later
#include "ldm/result.h"

namespace ldm {

const char* errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidRequest: return "invalid request";
    case ErrorCode::InvalidFile: return "invalid file";
    case ErrorCode::WeightsMismatch: return "weights mismatch";
    case ErrorCode::OutOfMemory: return "out of memory";
    case ErrorCode::DeviceUnavailable: return "device unavailable";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::Internal: return "internal error";
    }
    return "unknown error";
}

} // namespace ldm
