// SPDX-License-Identifier: GPL-3.0-or-later
// The unpickler's input, stack, marks and memo (the opcode loop is in pickle_reader.cpp). Every
// read is bounds-checked and every failure records an error instead of throwing.
#include "core/pickle_machine.h"

#include <algorithm>

namespace ldm::io {

const char* pickleKindName(PickleKind kind)
{
    switch (kind) {
    case PickleKind::None:
        return "None";
    case PickleKind::Bool:
        return "bool";
    case PickleKind::Int:
        return "int";
    case PickleKind::Float:
        return "float";
    case PickleKind::String:
        return "str";
    case PickleKind::Bytes:
        return "bytes";
    case PickleKind::List:
        return "list";
    case PickleKind::Tuple:
        return "tuple";
    case PickleKind::Dict:
        return "dict";
    case PickleKind::Set:
        return "set";
    case PickleKind::Global:
        return "global";
    case PickleKind::Storage:
        return "storage";
    case PickleKind::Tensor:
        return "tensor";
    case PickleKind::Object:
        return "object";
    }
    return "?";
}

namespace pickle {

bool Machine::fail(const std::string& message)
{
    if (!m_failed) {
        m_failed = true;
        m_error = "pickle offset " + std::to_string(m_opcodeAt) + ": " + message;
    }
    return false;
}

bool Machine::refuse(const std::string& message)
{
    if (!m_failed) {
        m_failed = true;
        m_error = message; // a refusal is about the file's intent, not a byte position
    }
    return false;
}

bool Machine::read(size_t count, const uint8_t*& out)
{
    if (count > m_size - m_pos)
        return fail("the pickle ends in the middle of an opcode (needs " + std::to_string(count) +
                    " more bytes, " + std::to_string(m_size - m_pos) + " left): truncated");
    out = m_data + m_pos;
    m_pos += count;
    return true;
}

bool Machine::readUnsigned(size_t bytes, uint64_t& out)
{
    const uint8_t* p = nullptr;
    if (!read(bytes, p))
        return false;
    out = 0;
    for (size_t i = bytes; i-- > 0;)
        out = (out << 8) | p[i];
    return true;
}

bool Machine::readLine(std::string& out)
{
    for (size_t i = m_pos; i < m_size && i - m_pos <= MaxPickleNameBytes; ++i) {
        if (m_data[i] == '\n') {
            out.assign(reinterpret_cast<const char*>(m_data + m_pos), i - m_pos);
            m_pos = i + 1;
            return true;
        }
    }
    return fail("a GLOBAL name is not terminated within " + std::to_string(MaxPickleNameBytes) +
                " bytes: truncated or corrupt");
}

// Containers can be copied from memoized ones (OrderedDict(list), set(list)), so their items
// are budgeted in all, not per opcode: many copies of one big list must not exhaust memory.
bool Machine::chargeItems(size_t count)
{
    m_items += count;
    return m_items <= MaxPickleItems ||
           fail("containers hold more than " + std::to_string(MaxPickleItems) + " items in all");
}

bool Machine::push(PickleValue&& value)
{
    if (m_tree.values.size() >= MaxPickleObjects)
        return fail("more than " + std::to_string(MaxPickleObjects) + " objects");
    if (!chargeItems(value.items.size()))
        return false;
    m_tree.values.push_back(std::move(value));
    return pushIndex(uint32_t(m_tree.values.size() - 1));
}

bool Machine::pushIndex(uint32_t index)
{
    if (m_stack.size() >= MaxPickleStackDepth)
        return fail("the stack grows past " + std::to_string(MaxPickleStackDepth) + " values");
    m_stack.push_back(index);
    return true;
}

bool Machine::pop(uint32_t& out)
{
    if (m_stack.size() <= fence())
        return fail("stack underflow (an opcode needs more values than there are)");
    out = m_stack.back();
    m_stack.pop_back();
    return true;
}

bool Machine::top(uint32_t& out)
{
    if (m_stack.size() <= fence())
        return fail("stack underflow (an opcode needs a value and there is none)");
    out = m_stack.back();
    return true;
}

bool Machine::popMark(std::vector<uint32_t>& items)
{
    if (m_marks.empty())
        return fail("an opcode needs a MARK and there is none");
    const size_t mark = m_marks.back();
    m_marks.pop_back();
    items.assign(m_stack.begin() + ptrdiff_t(mark), m_stack.end());
    m_stack.resize(mark);
    return true;
}

bool Machine::pushString(size_t lengthBytes, PickleKind kind)
{
    uint64_t length = 0;
    if (!readUnsigned(lengthBytes, length))
        return false;
    if (lengthBytes == 4 && m_opcode == 'T' && length > 0x7fffffff)
        return fail("BINSTRING has a negative length");
    if (length > MaxPickleStringBytes)
        return fail("a string of " + std::to_string(length) + " bytes is longer than the " +
                    std::to_string(MaxPickleStringBytes) + " we accept");
    const uint8_t* p = nullptr;
    if (!read(size_t(length), p))
        return false;
    PickleValue value;
    value.kind = kind;
    value.text.assign(reinterpret_cast<const char*>(p), size_t(length));
    return push(std::move(value));
}

// Two's complement, little-endian, any length; only values that fit in 64 bits keep a value.
bool Machine::pushLong(size_t lengthBytes)
{
    uint64_t length = 0;
    if (!readUnsigned(lengthBytes, length))
        return false;
    if (length > 0x7fffffff || length > MaxPickleStringBytes)
        return fail("LONG4 of " + std::to_string(length) + " bytes is too long");
    const uint8_t* p = nullptr;
    if (!read(size_t(length), p))
        return false;
    PickleValue value;
    value.kind = PickleKind::Int;
    const size_t n = size_t(length);
    if (n > 0) {
        const bool negative = (p[n - 1] & 0x80) != 0;
        const uint8_t fill = negative ? 0xff : 0x00;
        for (size_t i = 8; i < n; ++i)
            value.bigInt = value.bigInt || p[i] != fill;
        if (n > 8 && ((p[7] & 0x80) != 0) != negative)
            value.bigInt = true;
        uint64_t bits = 0;
        for (size_t i = std::min<size_t>(n, 8); i-- > 0;)
            bits = (bits << 8) | p[i];
        if (n < 8 && negative)
            bits |= ~uint64_t(0) << (8 * n);
        value.integer = int64_t(bits);
    }
    return push(std::move(value));
}

bool Machine::pushInt(int64_t number)
{
    PickleValue value;
    value.kind = PickleKind::Int;
    value.integer = number;
    return push(std::move(value));
}

bool Machine::pushContainer(PickleKind kind, std::vector<uint32_t>&& items)
{
    PickleValue value;
    value.kind = kind;
    value.items = std::move(items);
    return push(std::move(value));
}

bool Machine::memoPut(uint64_t key)
{
    uint32_t index = 0;
    if (!top(index))
        return false;
    if (m_memo.size() >= MaxPickleMemoEntries && !m_memo.count(key))
        return fail("the memo grows past " + std::to_string(MaxPickleMemoEntries) + " entries");
    m_memo[key] = index;
    return true;
}

bool Machine::memoGet(uint64_t key)
{
    const auto it = m_memo.find(key);
    if (it == m_memo.end())
        return fail("memo entry " + std::to_string(key) + " is read before it is written");
    return pushIndex(it->second);
}

// APPEND(S), SETITEM(S), ADDITEMS: add to the container below the mark (or the popped items).
bool Machine::addItems(std::vector<uint32_t>&& items, PickleKind expected)
{
    uint32_t target = 0;
    if (!top(target))
        return false;
    PickleValue& container = m_tree.values[target];
    if (container.kind == PickleKind::Object)
        return true; // an inert placeholder swallows its contents, as nothing reads them
    if (container.kind != expected)
        return fail(std::string("cannot add items to a ") + pickleKindName(container.kind) +
                    " (expected a " + pickleKindName(expected) + ")");
    if (expected == PickleKind::Dict && items.size() % 2 != 0)
        return fail("SETITEMS has an odd number of keys and values");
    if (!chargeItems(items.size()))
        return false;
    container.items.insert(container.items.end(), items.begin(), items.end());
    return true;
}

bool Machine::popItems(size_t count, std::vector<uint32_t>& items)
{
    items.assign(count, 0);
    for (size_t i = count; i-- > 0;)
        if (!pop(items[i]))
            return false;
    return true;
}

} // namespace pickle
} // namespace ldm::io
