// SPDX-License-Identifier: GPL-3.0-or-later
// The allowlist of the restricted unpickler and what its entries mean. Nothing named by a file
// is ever imported or called: each allowed global is re-implemented here as a value-tree
// operation (an OrderedDict is a dict, _rebuild_tensor_v2 records a view of a storage), and the
// inert types become opaque placeholders whose arguments are dropped.
#include "core/pickle_machine.h"
#include "core/zip_archive.h" // printable

#include <iterator>

namespace ldm::io::pickle {

namespace {

enum class Role : uint8_t {
    OrderedDict,      ///< collections.OrderedDict: a dict in insertion order
    RebuildTensor,    ///< torch._utils._rebuild_tensor_v2: a strided view of a storage
    RebuildParameter, ///< nn.Parameter around a tensor: the tensor itself
    Identity,         ///< type tags LibTorch's pickle_save wraps containers in: the value
    Set,              ///< builtins.set
    Storage,          ///< a typed storage class, only valid inside a persistent id
    Dtype,            ///< a torch dtype object, a plain value
    Inert,            ///< a known type outside the weights: an opaque placeholder
};

struct Allowed
{
    const char* module;
    const char* name;
    Role role;
    DType dtype = DType::F32; ///< for Storage
};

const Allowed Allowlist[] = {
    {"collections", "OrderedDict", Role::OrderedDict},
    {"torch._utils", "_rebuild_tensor_v2", Role::RebuildTensor},
    {"torch._utils", "_rebuild_parameter", Role::RebuildParameter},
    {"torch._utils", "_rebuild_parameter_with_state", Role::RebuildParameter},
    {"torch.jit._pickle", "restore_type_tag", Role::Identity}, // (value, type string)
    {"torch.jit._pickle", "build_intlist", Role::Identity},    // (value,)
    {"torch.jit._pickle", "build_doublelist", Role::Identity},
    {"torch.jit._pickle", "build_boollist", Role::Identity},
    {"torch.jit._pickle", "build_tensorlist", Role::Identity},
    {"builtins", "set", Role::Set},
    {"__builtin__", "set", Role::Set}, // what Python 3 writes for protocol 2
    {"torch", "FloatStorage", Role::Storage, DType::F32},
    {"torch", "HalfStorage", Role::Storage, DType::F16},
    {"torch", "BFloat16Storage", Role::Storage, DType::BF16},
    {"torch", "DoubleStorage", Role::Storage, DType::F64},
    {"torch", "LongStorage", Role::Storage, DType::I64},
    {"torch", "IntStorage", Role::Storage, DType::I32},
    {"torch", "ShortStorage", Role::Storage, DType::I16},
    {"torch", "CharStorage", Role::Storage, DType::I8},
    {"torch", "ByteStorage", Role::Storage, DType::U8},
    {"torch", "BoolStorage", Role::Storage, DType::Bool},
    {"torch", "float16", Role::Dtype},
    {"torch", "float32", Role::Dtype},
    {"torch", "float64", Role::Dtype},
    {"torch", "bfloat16", Role::Dtype},
    {"torch", "int64", Role::Dtype},
    {"torch", "int32", Role::Dtype},
    {"torch", "int16", Role::Dtype},
    {"torch", "int8", Role::Dtype},
    {"torch", "uint8", Role::Dtype},
    {"torch", "bool", Role::Dtype},
    // Lightning and NumPy put these in training checkpoints next to the weights (callbacks,
    // scores, loop state). They are never called; the state-dict extraction rejects them
    // wherever a tensor is expected.
    {"pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint", Role::Inert},
    {"lightning.pytorch.callbacks.model_checkpoint", "ModelCheckpoint", Role::Inert},
    {"numpy.core.multiarray", "scalar", Role::Inert},
    {"numpy.core.multiarray", "_reconstruct", Role::Inert},
    {"numpy._core.multiarray", "scalar", Role::Inert}, // NumPy 2 spelling
    {"numpy._core.multiarray", "_reconstruct", Role::Inert},
    {"numpy", "dtype", Role::Inert},
    {"numpy", "ndarray", Role::Inert},
    {"_codecs", "encode", Role::Inert},
    {"torch.nn.modules.container", "ParameterDict", Role::Inert},
};

const Allowed& allowed(const PickleValue& global)
{
    return Allowlist[size_t(global.integer)];
}

bool isKeyCharacter(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '-' || c == '.';
}

} // namespace

bool Machine::pushGlobal(const std::string& module, const std::string& name)
{
    for (size_t i = 0; i < std::size(Allowlist); ++i) {
        if (module == Allowlist[i].module && name == Allowlist[i].name) {
            PickleValue value;
            value.kind = PickleKind::Global;
            value.text = module + "." + name;
            value.integer = int64_t(i);
            return push(std::move(value));
        }
    }
    return refuse("refusing to load: the checkpoint references " + printable(module + "." + name) +
                  ", which is not part of a saved state dict; nothing was executed");
}

bool Machine::pushStackGlobal(uint32_t module, uint32_t name)
{
    const PickleValue& m = value(module);
    const PickleValue& n = value(name);
    if (m.kind != PickleKind::String || n.kind != PickleKind::String)
        return fail("STACK_GLOBAL needs two strings");
    if (m.text.size() > MaxPickleNameBytes || n.text.size() > MaxPickleNameBytes)
        return fail("a STACK_GLOBAL name is longer than " + std::to_string(MaxPickleNameBytes) +
                    " bytes");
    const std::string moduleText = m.text, nameText = n.text; // push() may move the values
    return pushGlobal(moduleText, nameText);
}

bool Machine::reduce(uint32_t callable, uint32_t args)
{
    const PickleValue& function = value(callable);
    if (function.kind != PickleKind::Global)
        return fail(std::string("REDUCE calls a ") + pickleKindName(function.kind) +
                    ", not an allowed function");
    const Allowed& global = allowed(function);
    const std::string name = function.text;
    if (value(args).kind != PickleKind::Tuple)
        return fail(name + " is called with a " + pickleKindName(value(args).kind) +
                    " instead of an argument tuple");
    if (value(args).items.size() > 7) // more than any allowed function takes; saves a copy
        return fail(name + " is called with " + std::to_string(value(args).items.size()) +
                    " arguments");
    const std::vector<uint32_t> argv = value(args).items;
    auto wrongArguments = [&] {
        return fail(name + " is called with " + std::to_string(argv.size()) +
                    " arguments of the wrong kind");
    };
    switch (global.role) {
    case Role::OrderedDict:
    case Role::Set: {
        const PickleKind kind = global.role == Role::Set ? PickleKind::Set : PickleKind::Dict;
        PickleValue result;
        result.kind = kind;
        result.ordered = kind == PickleKind::Dict;
        if (argv.size() > 1)
            return wrongArguments();
        if (argv.size() == 1) {
            const PickleValue& source = value(argv[0]);
            if (source.kind != PickleKind::List && source.kind != PickleKind::Tuple &&
                source.kind != PickleKind::Set)
                return wrongArguments();
            for (uint32_t item : source.items) {
                if (kind == PickleKind::Set) {
                    result.items.push_back(item);
                    continue;
                }
                const PickleValue& pair = value(item); // OrderedDict([(key, value), ...])
                if ((pair.kind != PickleKind::Tuple && pair.kind != PickleKind::List) ||
                    pair.items.size() != 2)
                    return wrongArguments();
                result.items.insert(result.items.end(), pair.items.begin(), pair.items.end());
            }
        }
        return push(std::move(result));
    }
    case Role::RebuildTensor:
        return rebuildTensor(argv);
    case Role::RebuildParameter:
        // (data, requires_grad, backward_hooks[, state]): the weights are `data`.
        if ((argv.size() != 3 && argv.size() != 4) || value(argv[0]).kind != PickleKind::Tensor)
            return wrongArguments();
        return pushIndex(argv[0]);
    case Role::Identity:
        if (argv.size() != 1 && argv.size() != 2)
            return wrongArguments();
        return pushIndex(argv[0]);
    case Role::Storage:
    case Role::Dtype:
        return fail(name + " is called, which a saved state dict never does");
    case Role::Inert: {
        PickleValue object;
        object.kind = PickleKind::Object;
        object.text = name;
        return push(std::move(object));
    }
    }
    return fail("internal: unknown role of " + name);
}

bool Machine::newObject(uint32_t type, uint32_t args)
{
    (void)args; // cls.__new__(cls, *args): none of the types we allow needs them
    const PickleValue& cls = value(type);
    if (cls.kind != PickleKind::Global)
        return fail(std::string("NEWOBJ on a ") + pickleKindName(cls.kind) + ", not a class");
    const Allowed& global = allowed(cls);
    PickleValue result;
    switch (global.role) {
    case Role::OrderedDict:
        result.kind = PickleKind::Dict;
        result.ordered = true;
        break;
    case Role::Set:
        result.kind = PickleKind::Set;
        break;
    case Role::Inert:
        result.kind = PickleKind::Object;
        result.text = cls.text;
        break;
    default:
        return fail(cls.text + " is instantiated, which a saved state dict never does");
    }
    return push(std::move(result));
}

bool Machine::build(uint32_t target, uint32_t state)
{
    // A textual-inversion embedding saved by the original implementation keeps its vectors in
    // a ParameterDict, whose state (`_parameters`, an OrderedDict of tensors) is the only way
    // to them: that state is kept as the placeholder's one item, still a plain value tree.
    if (value(target).kind == PickleKind::Object &&
        value(target).text == "torch.nn.modules.container.ParameterDict") {
        if (!chargeItems(1))
            return false;
        m_tree.values[target].items.assign(1, state);
        return true;
    }
    // Python would set attributes: an OrderedDict's `_metadata` (module versions), a
    // placeholder's fields. Nothing we read depends on them, so they are dropped.
    const PickleKind kind = value(target).kind;
    if (kind == PickleKind::Dict || kind == PickleKind::Object || kind == PickleKind::Tensor)
        return true;
    return fail(std::string("BUILD on a ") + pickleKindName(kind) + ", which has no state");
}

bool Machine::persistentLoad(uint32_t pid)
{
    const PickleValue& id = value(pid);
    if (id.kind != PickleKind::Tuple || id.items.empty())
        return fail(std::string("a persistent id is a ") + pickleKindName(id.kind) +
                    ", not a tuple");
    const PickleValue& tag = value(id.items[0]);
    if (tag.kind != PickleKind::String || tag.text != "storage")
        return fail("unsupported persistent id (only ('storage', ...) records are known)");
    if (id.items.size() != 5)
        return fail("a storage persistent id has " + std::to_string(id.items.size()) +
                    " fields instead of 5 ('storage', type, key, location, numel)");
    const PickleValue& type = value(id.items[1]);
    const PickleValue& key = value(id.items[2]);
    const PickleValue& location = value(id.items[3]);
    const PickleValue& numel = value(id.items[4]);
    if (type.kind != PickleKind::Global || allowed(type).role != Role::Storage)
        return fail("a storage persistent id names a " + std::string(pickleKindName(type.kind)) +
                    (type.kind == PickleKind::Global ? " (" + type.text + ")" : std::string()) +
                    " instead of a typed storage such as torch.FloatStorage");
    if (key.kind != PickleKind::String || key.text.empty() || key.text.size() > 128)
        return fail("a storage persistent id has no usable key");
    for (char c : key.text) {
        if (!isKeyCharacter(c))
            return fail("storage key '" + printable(key.text) + "' has unexpected characters");
    }
    if (location.kind != PickleKind::String || location.text.size() > 128)
        return fail("storage '" + key.text + "' has no location string");
    if (numel.kind != PickleKind::Int || numel.bigInt || numel.integer < 0)
        return fail("storage '" + key.text + "' has no valid element count");

    PickleStorage storage{allowed(type).dtype, key.text, location.text, uint64_t(numel.integer)};
    m_tree.storages.push_back(std::move(storage));
    PickleValue result;
    result.kind = PickleKind::Storage;
    result.integer = int64_t(m_tree.storages.size() - 1);
    return push(std::move(result));
}

bool Machine::readDims(uint32_t index, const char* what, std::vector<int64_t>& out)
{
    const PickleValue& dims = value(index);
    if (dims.kind != PickleKind::Tuple && dims.kind != PickleKind::List)
        return fail(std::string("a tensor's ") + what + " is a " + pickleKindName(dims.kind) +
                    ", not a tuple");
    if (dims.items.size() > MaxTensorDims)
        return fail(std::string("a tensor has ") + std::to_string(dims.items.size()) +
                    " dimensions, more than " + std::to_string(MaxTensorDims));
    for (uint32_t item : dims.items) {
        const PickleValue& dim = value(item);
        if (dim.kind != PickleKind::Int || dim.bigInt || dim.integer < 0)
            return fail(std::string("a tensor's ") + what +
                        " holds something other than a non-negative integer");
        out.push_back(dim.integer);
    }
    return true;
}

// (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
bool Machine::rebuildTensor(const std::vector<uint32_t>& args)
{
    if (args.size() != 6 && args.size() != 7)
        return fail("_rebuild_tensor_v2 is called with " + std::to_string(args.size()) +
                    " arguments instead of 6 or 7");
    const PickleValue& storage = value(args[0]);
    const PickleValue& offset = value(args[1]);
    const PickleValue& grad = value(args[4]);
    if (storage.kind != PickleKind::Storage)
        return fail(std::string("_rebuild_tensor_v2 is given a ") + pickleKindName(storage.kind) +
                    " instead of a storage");
    if (offset.kind != PickleKind::Int || offset.bigInt || offset.integer < 0)
        return fail("_rebuild_tensor_v2 is given an invalid storage offset");
    PickleTensor tensor;
    tensor.storage = uint32_t(storage.integer);
    tensor.storageOffset = uint64_t(offset.integer);
    tensor.requiresGrad =
        (grad.kind == PickleKind::Bool || grad.kind == PickleKind::Int) && grad.integer != 0;
    if (!readDims(args[2], "size", tensor.sizes) || !readDims(args[3], "stride", tensor.strides))
        return false;
    if (tensor.sizes.size() != tensor.strides.size())
        return fail("a tensor has " + std::to_string(tensor.sizes.size()) + " sizes but " +
                    std::to_string(tensor.strides.size()) + " strides");
    m_tree.tensors.push_back(std::move(tensor));
    PickleValue result;
    result.kind = PickleKind::Tensor;
    result.integer = int64_t(m_tree.tensors.size() - 1);
    return push(std::move(result));
}

std::string Machine::unsupportedOpcode(uint8_t opcode) const
{
    static const std::pair<uint8_t, const char*> Known[] = {
        {'i', "INST"},   {'o', "OBJ"},          {'P', "PERSID"},
        {'I', "INT"},    {'L', "LONG"},         {'F', "FLOAT"},
        {'S', "STRING"}, {'V', "UNICODE"},      {'p', "PUT"},
        {'g', "GET"},    {0x82, "EXT1"},        {0x83, "EXT2"},
        {0x84, "EXT4"},  {0x97, "NEXT_BUFFER"}, {0x98, "READONLY_BUFFER"},
    };
    static const char Hex[] = "0123456789abcdef";
    const std::string code = std::string("0x") + Hex[opcode >> 4] + Hex[opcode & 15];
    for (const auto& [value, name] : Known) {
        if (value == opcode)
            return "pickle opcode " + code + " (" + name +
                   ") is not supported: torch.save never writes it";
    }
    return "unknown pickle opcode " + code + ": not a PyTorch checkpoint, or corrupt";
}

} // namespace ldm::io::pickle
