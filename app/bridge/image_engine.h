// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The worker-side contract between the Qt app and an image engine.
//
// Usage: the app owns an EngineController (GUI thread). It is given an EngineFactory, which it
// runs on its long-lived engine thread, so models, CUDA contexts and thread-local inference
// guards live and die on that one thread. Each job calls ImageEngine::run() there with a
// value-type GenerateRequest and a JobContext, and returns one JobOutcome.
//
// Thread-safety: run() is only ever called on the engine thread, one job at a time. The
// JobContext methods may be called from any thread the engine uses internally; they are cheap
// (no allocation, no waiting on the GUI) so they can be called at every sampler step.

#include "recipe_metatype.h"

#include <QImage>
#include <QMetaType>
#include <QString>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace ldm::bridge {

/// Monotonically increasing job number; 0 means "no job".
using JobId = quint64;

/// How previews are made from the current latent.
enum class PreviewMode {
    LatentProjection, ///< cheap linear latent->RGB projection (default)
    FullDecode,       ///< full first-stage decode: exact but costs a decoder pass
};

/// Engine-wide settings the user can change while the engine stays loaded.
struct EngineOptions
{
    int threads = 0; ///< intra-op threads; 0 = engine default
};

/// One job, by value: everything the engine needs and nothing tied to the UI.
struct GenerateRequest
{
    Recipe recipe;          ///< task, prompt, sampler, steps, seed (already resolved), size
    QString checkpointPath; ///< weights to use; empty = the engine's current model
    QImage labelMap;        ///< Format_Indexed8, pixel value = class id (task "paint")
    QImage inputImage;      ///< Format_RGB888 source picture (task "upscale")
    PreviewMode previewMode = PreviewMode::LatentProjection;
    int previewInterval = 1; ///< steps between previews; 0 = no previews
};

/// Class ids of an Indexed8 label map, row-major, one byte per pixel (what the model one-hots).
std::vector<std::uint8_t> labelIds(const QImage& labelMap);

/// Progress of the running job; elapsed and ETA are measured by the bridge, not the engine.
struct ProgressInfo
{
    int step = 0;
    int total = 0;
    qint64 elapsedMs = 0;
    qint64 etaMs = -1; ///< -1 until a step has completed
};

/// The engine's view of the job it is running.
class JobContext
{
public:
    virtual ~JobContext() = default;
    /// True once the owner asked to stop; check before every step and before decoding.
    virtual bool isCancelled() const = 0;
    /// Step `step` of `total` is done.
    virtual void reportProgress(int step, int total) = 0;
    /// A preview; the image must own its pixels (no wrapped buffers). Older unshown frames are
    /// dropped: only the latest reaches the screen.
    virtual void reportPreview(const QImage& image, int step, int total) = 0;
};

/// How a job ended. Cancelled is a status, not a failure.
struct JobOutcome
{
    enum class Status { Completed, Cancelled, Failed };
    Status status = Status::Failed;
    QImage image;    ///< Completed: the result
    Recipe recipe;   ///< Completed: the recipe as run (hashes, version, time filled in)
    QString message; ///< Failed: a sentence a person can act on

    static JobOutcome completed(QImage image, Recipe recipe);
    static JobOutcome cancelled();
    static JobOutcome failed(QString message);
};

/// An image generator living on the engine thread. Implementations must not throw out of
/// run(); the worker still catches everything and reports it as a failure.
class ImageEngine
{
public:
    virtual ~ImageEngine() = default;
    /// Where it runs, for the status bar ("CPU, 16 threads", "CUDA: NVIDIA H100").
    virtual QString deviceName() const = 0;
    /// Applies engine-wide options; called on the engine thread between jobs.
    virtual void configure(const EngineOptions& options) { (void)options; }
    /// Runs one job to completion, cancellation or failure.
    virtual JobOutcome run(const GenerateRequest& request, JobContext& context) = 0;
};

/// Builds the engine; called once on the engine thread. May throw (reported as engineFailed).
using EngineFactory = std::function<std::unique_ptr<ImageEngine>()>;

} // namespace ldm::bridge

Q_DECLARE_METATYPE(ldm::bridge::JobOutcome)
Q_DECLARE_METATYPE(ldm::bridge::ProgressInfo)
