// SPDX-License-Identifier: GPL-3.0-or-later
#include "bench/bench_profile.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <map>

namespace ldm {

namespace {

std::string withShapes(const std::string& name, const std::vector<std::vector<int64_t>>& shapes)
{
    std::string text = name;
    for (const auto& shape : shapes) {
        text += shape.empty() ? " []" : " [";
        for (size_t i = 0; i < shape.size(); ++i)
            text += std::to_string(shape[i]) + (i + 1 < shape.size() ? "," : "]");
    }
    return text;
}

} // namespace

Result<std::vector<OpTime>> profileOps(const std::function<void()>& fn, bool byShape)
{
    namespace prof = torch::autograd::profiler;
    prof::thread_event_lists events;
    try {
        prof::enableProfilerLegacy(prof::ProfilerConfig(prof::ProfilerState::CPU, byShape));
        try {
            fn();
        } catch (...) {
            prof::disableProfilerLegacy();
            throw;
        }
        events = prof::disableProfilerLegacy();
    } catch (const std::exception& error) {
        return makeError(ErrorCode::Internal, std::string("profiling failed: ") + error.what());
    }
    // Push/pop ranges nest per thread: a stack gives each range its children's total time.
    struct Open
    {
        const prof::LegacyEvent* event;
        double childUs;
    };
    std::map<std::string, OpTime> byName;
    for (const auto& list : events) {
        std::vector<Open> stack;
        for (const auto& event : list) {
            if (event.kind() == prof::EventKind::PushRange) {
                stack.push_back({&event, 0.0});
            } else if (event.kind() == prof::EventKind::PopRange && !stack.empty()) {
                const Open open = stack.back();
                stack.pop_back();
                const double us = open.event->cpuElapsedUs(event);
                if (!stack.empty())
                    stack.back().childUs += us;
                const std::string name = byShape
                                             ? withShapes(open.event->name(), open.event->shapes())
                                             : std::string(open.event->name());
                OpTime& op = byName[name];
                op.name = name;
                op.selfSeconds += (us - open.childUs) / 1e6;
                ++op.calls;
            }
        }
    }
    std::vector<OpTime> ops;
    for (auto& item : byName)
        ops.push_back(item.second);
    std::sort(ops.begin(), ops.end(),
              [](const OpTime& a, const OpTime& b) { return a.selfSeconds > b.selfSeconds; });
    return ops;
}

} // namespace ldm
