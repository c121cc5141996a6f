// SPDX-License-Identifier: GPL-3.0-or-later
// Internal to the unpickler (pickle_reader.cpp, pickle_stack.cpp, pickle_globals.cpp): the
// machine's state.
// Members return false after recording the first error; nothing here throws on bad input.
#pragma once

#include "core/pickle_reader.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace ldm::io::pickle {

class Machine
{
public:
    Machine(const uint8_t* data, size_t size)
        : m_data(data)
        , m_size(size)
    {
    }
    /// Runs to STOP; the tree, or the first error.
    Result<PickleTree> run();

private:
    // pickle_stack.cpp: input, stack, marks and memo.
    bool fail(const std::string& message);
    bool refuse(const std::string& message);
    bool read(size_t count, const uint8_t*& out);
    bool readUnsigned(size_t bytes, uint64_t& out);
    bool readLine(std::string& out);
    bool chargeItems(size_t count);
    bool push(PickleValue&& value);
    bool pushIndex(uint32_t index);
    bool pop(uint32_t& out);
    bool top(uint32_t& out);
    bool popMark(std::vector<uint32_t>& items);
    bool popItems(size_t count, std::vector<uint32_t>& items);
    bool pushString(size_t lengthBytes, PickleKind kind);
    bool pushLong(size_t lengthBytes);
    bool pushInt(int64_t number);
    bool pushContainer(PickleKind kind, std::vector<uint32_t>&& items);
    bool memoPut(uint64_t key);
    bool memoGet(uint64_t key);
    bool addItems(std::vector<uint32_t>&& items, PickleKind expected);
    size_t fence() const { return m_marks.empty() ? 0 : m_marks.back(); }

    // pickle_globals.cpp: the allowlist and what its entries mean.
    bool pushGlobal(const std::string& module, const std::string& name);
    bool pushStackGlobal(uint32_t module, uint32_t name);
    bool reduce(uint32_t callable, uint32_t args);
    bool newObject(uint32_t type, uint32_t args);
    bool build(uint32_t target, uint32_t state);
    bool persistentLoad(uint32_t pid);
    bool rebuildTensor(const std::vector<uint32_t>& args);
    bool readDims(uint32_t index, const char* what, std::vector<int64_t>& out);
    std::string unsupportedOpcode(uint8_t opcode) const;

    const PickleValue& value(uint32_t index) const { return m_tree.values[index]; }

    const uint8_t* m_data;
    size_t m_size;
    size_t m_pos = 0;
    size_t m_opcodeAt = 0;
    uint8_t m_opcode = 0;
    PickleTree m_tree;
    std::vector<uint32_t> m_stack;
    std::vector<size_t> m_marks; // stack sizes at each MARK
    std::unordered_map<uint64_t, uint32_t> m_memo;
    size_t m_items = 0; // items of all containers, see chargeItems()
    bool m_failed = false;
    std::string m_error;
};

} // namespace ldm::io::pickle
