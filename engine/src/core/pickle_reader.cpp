// SPDX-License-Identifier: GPL-3.0-or-later
// The unpickler's opcode loop. The stack, marks and memo are in pickle_stack.cpp; what the
// few allowlisted globals mean (REDUCE, NEWOBJ, BUILD, BINPERSID) is in pickle_globals.cpp.
#include "core/pickle_machine.h"

#include <cstring>
#include <new>

namespace ldm::io {
namespace pickle {

Result<PickleTree> Machine::run()
{
    std::vector<uint32_t> items;
    uint64_t n = 0;
    uint32_t a = 0, b = 0, c = 0;
    const uint8_t* p = nullptr;
    bool ok = true;
    while (ok) {
        m_opcodeAt = m_pos;
        if (m_pos >= m_size)
            break;
        read(1, p);
        m_opcode = *p;
        switch (m_opcode) {
        case 0x80: // PROTO
            ok = readUnsigned(1, n) &&
                 (n <= 5 || fail("pickle protocol " + std::to_string(n) + " is newer than 5"));
            break;
        case 0x95: // FRAME: a buffering hint, the bytes follow inline
            ok = readUnsigned(8, n);
            break;
        case '.': // STOP
            if (!pop(a))
                return Error{ErrorCode::InvalidFile, m_error};
            m_tree.root = a;
            return std::move(m_tree);
        case '(': // MARK
            ok = m_marks.size() < MaxPickleMarkDepth ||
                 fail("MARKs nest deeper than " + std::to_string(MaxPickleMarkDepth));
            if (ok)
                m_marks.push_back(m_stack.size());
            break;
        case '0': // POP (of a value, or of an empty mark)
            if (m_stack.size() > fence())
                m_stack.pop_back();
            else if (!m_marks.empty())
                m_marks.pop_back();
            else
                ok = fail("POP on an empty stack");
            break;
        case '1': // POP_MARK
            ok = popMark(items);
            break;
        case '2': // DUP
            ok = top(a) && pushIndex(a);
            break;
        case 'N':
            ok = push(PickleValue{});
            break;
        case 0x88: // NEWTRUE
        case 0x89: // NEWFALSE
            ok = push(PickleValue{PickleKind::Bool, false, false, m_opcode == 0x88, 0, {}, {}});
            break;
        case 'J': // BININT
            ok = readUnsigned(4, n) && pushInt(int64_t(int32_t(uint32_t(n))));
            break;
        case 'K': // BININT1
            ok = readUnsigned(1, n) && pushInt(int64_t(n));
            break;
        case 'M': // BININT2
            ok = readUnsigned(2, n) && pushInt(int64_t(n));
            break;
        case 0x8a: // LONG1
            ok = pushLong(1);
            break;
        case 0x8b: // LONG4
            ok = pushLong(4);
            break;
        case 'G': { // BINFLOAT, big-endian
            ok = read(8, p);
            if (ok) {
                uint64_t bits = 0;
                for (int i = 0; i < 8; ++i)
                    bits = (bits << 8) | p[i];
                PickleValue value;
                value.kind = PickleKind::Float;
                std::memcpy(&value.number, &bits, sizeof bits);
                ok = push(std::move(value));
            }
            break;
        }
        case 'X': // BINUNICODE
        case 'T': // BINSTRING (a Python 2 str; torch.load decodes it as text)
            ok = pushString(4, PickleKind::String);
            break;
        case 0x8d: // BINUNICODE8
            ok = pushString(8, PickleKind::String);
            break;
        case 0x8c: // SHORT_BINUNICODE
        case 'U':  // SHORT_BINSTRING
            ok = pushString(1, PickleKind::String);
            break;
        case 'B': // BINBYTES
            ok = pushString(4, PickleKind::Bytes);
            break;
        case 'C': // SHORT_BINBYTES
            ok = pushString(1, PickleKind::Bytes);
            break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
            ok = pushString(8, PickleKind::Bytes);
            break;
        case '}': // EMPTY_DICT
            ok = pushContainer(PickleKind::Dict, {});
            break;
        case ']': // EMPTY_LIST
            ok = pushContainer(PickleKind::List, {});
            break;
        case ')': // EMPTY_TUPLE
            ok = pushContainer(PickleKind::Tuple, {});
            break;
        case 0x8f: // EMPTY_SET
            ok = pushContainer(PickleKind::Set, {});
            break;
        case 't':  // TUPLE
        case 'l':  // LIST
        case 0x91: // FROZENSET
            ok = popMark(items) && pushContainer(m_opcode == 't'   ? PickleKind::Tuple
                                                 : m_opcode == 'l' ? PickleKind::List
                                                                   : PickleKind::Set,
                                                 std::move(items));
            break;
        case 'd': // DICT
            ok = popMark(items) &&
                 (items.size() % 2 == 0 || fail("DICT has an odd number of keys and values")) &&
                 pushContainer(PickleKind::Dict, std::move(items));
            break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: // TUPLE3
            ok = popItems(size_t(m_opcode - 0x84), items) &&
                 pushContainer(PickleKind::Tuple, std::move(items));
            break;
        case 'a': // APPEND
            ok = pop(a) && addItems({a}, PickleKind::List);
            break;
        case 'e': // APPENDS
            ok = popMark(items) && addItems(std::move(items), PickleKind::List);
            break;
        case 's': // SETITEM
            ok = pop(b) && pop(a) && addItems({a, b}, PickleKind::Dict);
            break;
        case 'u': // SETITEMS
            ok = popMark(items) && addItems(std::move(items), PickleKind::Dict);
            break;
        case 0x90: // ADDITEMS
            ok = popMark(items) && addItems(std::move(items), PickleKind::Set);
            break;
        case 'q': // BINPUT
            ok = readUnsigned(1, n) && memoPut(n);
            break;
        case 'r': // LONG_BINPUT
            ok = readUnsigned(4, n) && memoPut(n);
            break;
        case 0x94: // MEMOIZE
            ok = memoPut(m_memo.size());
            break;
        case 'h': // BINGET
            ok = readUnsigned(1, n) && memoGet(n);
            break;
        case 'j': // LONG_BINGET
            ok = readUnsigned(4, n) && memoGet(n);
            break;
        case 'c': { // GLOBAL: "module\nname\n"
            std::string module, name;
            ok = readLine(module) && readLine(name) && pushGlobal(module, name);
            break;
        }
        case 0x93: // STACK_GLOBAL
            ok = pop(b) && pop(a) && pushStackGlobal(a, b);
            break;
        case 'R': // REDUCE
            ok = pop(b) && pop(a) && reduce(a, b);
            break;
        case 0x81: // NEWOBJ
            ok = pop(b) && pop(a) && newObject(a, b);
            break;
        case 0x92: // NEWOBJ_EX (keyword arguments are never needed by what we allow)
            ok = pop(c) && pop(b) && pop(a) && newObject(a, b);
            break;
        case 'b': // BUILD
            ok = pop(b) && top(a) && build(a, b);
            break;
        case 'Q': // BINPERSID
            ok = pop(a) && persistentLoad(a);
            break;
        default:
            ok = fail(unsupportedOpcode(m_opcode));
            break;
        }
    }
    if (!m_failed)
        fail("the pickle ends without a STOP opcode: truncated");
    return Error{ErrorCode::InvalidFile, m_error};
}

} // namespace pickle

Result<PickleTree> readPickle(const uint8_t* data, size_t size)
{
    if (size > MaxPickleBytes)
        return makeError(ErrorCode::InvalidFile, "the pickle is " + std::to_string(size) +
                                                     " bytes, more than the " +
                                                     std::to_string(MaxPickleBytes) + " we accept");
    try {
        pickle::Machine machine(data, size);
        return machine.run();
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "out of memory while reading the pickle");
    } catch (const std::exception& error) {
        return makeError(ErrorCode::Internal,
                         std::string("unexpected error while reading the pickle: ") + error.what());
    }
}

} // namespace ldm::io
