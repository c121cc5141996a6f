// SPDX-License-Identifier: GPL-3.0-or-later
// Reads one section of a training config (YAML converted to JSON) key by key with type checks,
// and reports keys nobody read, so a typo fails instead of silently training with a default.
// Shared by the trainers' config readers.
#pragma once

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace ldm::train {

/// Typed reader of one JSON object; the first problem is kept in error().
class ConfigSection
{
public:
    /// `name` is the dotted path used in messages ("training", "model.text").
    ConfigSection(const nlohmann::json& object, std::string name)
        : m_object(object)
        , m_name(std::move(name))
    {
        if (!m_object.is_null() && !m_object.is_object())
            m_error = "'" + m_name + "' must be a mapping";
    }

    /// Reads `key` into `target` when present (bool, number, string or vector of those).
    template <typename T> void read(const char* key, T& target)
    {
        m_known.insert(key);
        if (!m_error.empty() || !m_object.is_object() || !m_object.contains(key))
            return;
        const nlohmann::json& value = m_object.at(key);
        try {
            check<T>(value);
            target = value.get<T>();
        } catch (const std::exception& error) {
            m_error = "'" + m_name + "." + key + "': " + error.what() + ", got " + value.dump();
        }
    }

    /// The raw value of `key` (null when absent), marked as known.
    const nlohmann::json& raw(const char* key)
    {
        static const nlohmann::json null;
        m_known.insert(key);
        return m_object.is_object() && m_object.contains(key) ? m_object.at(key) : null;
    }

    /// Records "'section.key' must be `what`" unless `condition` holds.
    void require(bool condition, const char* key, const std::string& what)
    {
        if (m_error.empty() && !condition)
            m_error = "'" + m_name + "." + key + "' must be " + what;
    }

    /// The first type error or unknown key; empty when all is well.
    std::string finish()
    {
        if (m_error.empty() && m_object.is_object())
            for (const auto& item : m_object.items())
                if (!m_known.count(item.key()))
                    m_error = "unknown key '" + m_name + "." + item.key() + "'";
        return m_error;
    }

private:
    template <typename T> static void check(const nlohmann::json& value)
    {
        if constexpr (std::is_same_v<T, bool>) {
            if (!value.is_boolean())
                throw std::runtime_error("expected true or false");
        } else if constexpr (std::is_arithmetic_v<T>) {
            if (!value.is_number())
                throw std::runtime_error("expected a number");
            if (std::is_integral_v<T> && !value.is_number_integer())
                throw std::runtime_error("expected an integer");
        } else if constexpr (std::is_same_v<T, std::string>) {
            if (!value.is_string())
                throw std::runtime_error("expected a string");
        } else {
            if (!value.is_array())
                throw std::runtime_error("expected a list");
            for (const auto& item : value)
                check<typename T::value_type>(item);
        }
    }

    const nlohmann::json& m_object;
    std::string m_name;
    std::set<std::string> m_known;
    std::string m_error;
};

} // namespace ldm::train
