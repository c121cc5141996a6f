// SPDX-License-Identifier: GPL-3.0-or-later
// Reads the CompVis YAML/JSON `params` blocks of conditioning modules into config structs.
// Errors collect instead of throwing so the fromJson factories can return a Result.
#pragma once

#include "ldm/result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace ldm::detail {

/// Typed, non-throwing access to the keys of one config object. Absent or null keys keep the
/// caller's default, because the Python constructors have defaults for all of them.
class JsonReader
{
public:
    /// `what` names the module in error messages ("SpatialRescaler", ...).
    JsonReader(const nlohmann::json& json, std::string what)
        : m_json(json)
        , m_what(std::move(what))
    {
        if (!m_json.is_object()) {
            fail("config must be a JSON object, got " + std::string(m_json.type_name()));
        }
    }

    /// Reads an integer key.
    void read(const char* key, int64_t& out)
    {
        if (const auto* value = find(key)) {
            if (value->is_number_integer()) {
                out = value->get<int64_t>();
            } else {
                wrongType(key, "an integer", *value);
            }
        }
    }

    /// Reads a number key (integers accepted).
    void read(const char* key, double& out)
    {
        if (const auto* value = find(key)) {
            if (value->is_number()) {
                out = value->get<double>();
            } else {
                wrongType(key, "a number", *value);
            }
        }
    }

    /// Reads a boolean key.
    void read(const char* key, bool& out)
    {
        if (const auto* value = find(key)) {
            if (value->is_boolean()) {
                out = value->get<bool>();
            } else {
                wrongType(key, "true or false", *value);
            }
        }
    }

    /// Reads a string key.
    void read(const char* key, std::string& out)
    {
        if (const auto* value = find(key)) {
            if (value->is_string()) {
                out = value->get<std::string>();
            } else {
                wrongType(key, "a string", *value);
            }
        }
    }

    /// Records an error unless `value` > 0.
    void requirePositive(const char* key, int64_t value)
    {
        if (value <= 0) {
            fail(std::string("'") + key + "' must be positive, got " + std::to_string(value));
        }
    }

    /// Records an error with the module name in front.
    void fail(const std::string& message)
    {
        if (m_message.empty()) {
            m_message = m_what + " config: " + message;
        }
    }

    bool ok() const { return m_message.empty(); }
    /// The first problem found, as an InvalidRequest error.
    Error error() const { return makeError(ErrorCode::InvalidRequest, m_message); }

private:
    const nlohmann::json* find(const char* key) const
    {
        if (!m_json.is_object()) {
            return nullptr;
        }
        auto it = m_json.find(key);
        return it == m_json.end() || it->is_null() ? nullptr : &*it;
    }

    void wrongType(const char* key, const char* expected, const nlohmann::json& value)
    {
        fail(std::string("'") + key + "' must be " + expected + ", got " + value.dump());
    }

    const nlohmann::json& m_json;
    std::string m_what;
    std::string m_message;
};

} // namespace ldm::detail
