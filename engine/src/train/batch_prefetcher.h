// SPDX-License-Identifier: GPL-3.0-or-later
// Makes the batches of the coming training steps on a background thread while the current
// step trains, so decoding, cropping, rendering and augmenting leave the step's critical path.
//
// A batch must be a pure function of its step (both trainers' are: every draw is seeded with
// (seed, step)), so prefetched batches equal the ones the step would have made itself. When
// the trainer asks for a step other than the next one queued (a resume, a test stepping out of
// order), the stream restarts at that step. The producer runs on the worker thread only and
// must not touch state the training thread uses.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace ldm::train {

template <typename Batch> class BatchPrefetcher
{
public:
    using Producer = std::function<Batch(int64_t step)>;

    /// Starts the worker; it keeps up to `depth` finished batches ahead of the trainer.
    explicit BatchPrefetcher(Producer producer, int64_t depth = 2)
        : m_producer(std::move(producer))
        , m_depth(std::max<int64_t>(1, depth))
    {
        m_worker = std::thread([this] { work(); });
    }

    ~BatchPrefetcher()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_changed.notify_all();
        m_worker.join();
    }

    BatchPrefetcher(const BatchPrefetcher&) = delete;
    BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

    /// The batch of `step`, waiting for the worker when it is not ready yet. Rethrows what the
    /// producer threw for that step.
    Batch take(int64_t step)
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        const bool queued = (!m_ready.empty() && m_ready.front().step == step) ||
                            (m_ready.empty() && m_next == step + 1 && m_busy) ||
                            (m_ready.empty() && m_next == step);
        if (!m_started || !queued) { // first call or out of order: (re)start at `step`
            m_started = true;
            m_ready.clear();
            m_next = step;
            ++m_generation;
            m_changed.notify_all();
        }
        m_changed.wait(lock, [&] { return !m_ready.empty() && m_ready.front().step == step; });
        Item item = std::move(m_ready.front());
        m_ready.pop_front();
        m_changed.notify_all();
        if (item.error)
            std::rethrow_exception(item.error);
        return std::move(item.batch);
    }

private:
    struct Item
    {
        int64_t step = 0;
        Batch batch;
        std::exception_ptr error;
    };

    void work()
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        while (true) {
            m_changed.wait(lock, [&] {
                return m_stop || (m_started && int64_t(m_ready.size()) < m_depth);
            });
            if (m_stop)
                return;
            const int64_t step = m_next++;
            const uint64_t generation = m_generation;
            m_busy = true;
            lock.unlock();
            Item item;
            item.step = step;
            try {
                item.batch = m_producer(step);
            } catch (...) {
                item.error = std::current_exception();
            }
            lock.lock();
            m_busy = false;
            if (generation == m_generation) // else the trainer restarted the stream meanwhile
                m_ready.push_back(std::move(item));
            m_changed.notify_all();
        }
    }

    Producer m_producer;
    int64_t m_depth;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Item> m_ready;
    int64_t m_next = 0;         ///< the next step the worker makes
    uint64_t m_generation = 0;  ///< bumped when the stream restarts
    bool m_busy = false;        ///< the worker is making step m_next − 1
    bool m_started = false;     ///< the trainer asked for a first step
    bool m_stop = false;
    std::thread m_worker;
};

} // namespace ldm::train
