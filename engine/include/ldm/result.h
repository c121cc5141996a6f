// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace ldm {

/// What went wrong, coarse enough for a caller to decide what to do next.
enum class ErrorCode {
    InvalidRequest,   ///< the caller asked for something impossible (bad size, unknown sampler, ...)
    InvalidFile,      ///< a file is unreadable, truncated, corrupt or of the wrong kind
    WeightsMismatch,  ///< a checkpoint does not fit the model (missing/unexpected/mis-shaped keys)
    OutOfMemory,      ///< an allocation failed; a smaller request may succeed
    DeviceUnavailable,///< the requested device (e.g. CUDA) is not present
    Cancelled,        ///< the job was cancelled by its owner; a status, not a failure
    Internal,         ///< a bug: an invariant did not hold
};

/// Human-readable name of an error code ("invalid file", ...).
const char* errorCodeName(ErrorCode code);

/// An error with a message a person can act on.
struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;
};

/// Either a value or an Error. Public engine calls return this instead of throwing.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_state(std::move(value)) {}
    Result(Error error) : m_state(std::move(error)) {}

    /// True when a value is present.
    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    /// The value; only valid when ok().
    T& value() & { return std::get<T>(m_state); }
    const T& value() const& { return std::get<T>(m_state); }
    T&& value() && { return std::get<T>(std::move(m_state)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    /// The error; only valid when !ok().
    const Error& error() const { return std::get<Error>(m_state); }

private:
    std::variant<T, Error> m_state;
};

/// Result of an operation that yields nothing but may fail.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)) {}

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

/// Shorthand for building an Error.
inline Error makeError(ErrorCode code, std::string message)
{
    return Error{code, std::move(message)};
}

} // namespace ldm
