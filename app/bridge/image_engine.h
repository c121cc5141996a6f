// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The worker-side contract between the Qt app and an image engine.
//
// Usage: the app owns an EngineController (GUI thread). It is given an EngineFactory, which it
// runs on its long-lived engine thread, so models, CUDA contexts and thread-local inference
// guards live and die on that one thread. Each job calls ImageEngine::run() there with a
// value-type GenerateRequest and a JobContext, and returns one JobOutcome.
//
// Models: an engine may offer shipped models by name and load any checkpoint file. loadModel()
// is called on the engine thread between jobs (the user picked a model and the UI wants its
// classes and size rules); run() loads the model a request names itself when it differs.
//
// Thread-safety: every ImageEngine method is only ever called on the engine thread, one at a
// time. The JobContext methods may be called from any thread the engine uses internally; they
// are cheap (no allocation, no waiting on the GUI) so they can be called at every sampler step.

#include "class_palette.h"
#include "ldm/result.h"
#include "recipe_metatype.h"

#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>

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
    Recipe recipe; ///< task, prompt, sampler, steps, seed (already resolved), size
    /// A shipped model's name or a checkpoint file; empty = the engine's default for the task.
    QString model;
    QImage labelMap; ///< Format_Indexed8, pixel value = class id (task "paint")
    /// The source picture: "upscale" the low-res image; "img2img", "inpaint" the picture to
    /// edit (its size is the result's; sides multiples of the model's latent factor);
    /// "outpaint" the picture the engine grows by recipe.growth.
    QImage inputImage;
    /// Task "inpaint": same size as inputImage, any format; a pixel whose grey level is above
    /// 127 is filled, the others are kept exactly (the engine's rule, ldm::GenerateRequest).
    QImage mask;
    /// "paint" and "txt2img" on a Stable Diffusion model: the ControlNet file that steers it
    /// (empty = none; its settings are recipe.control) and its hint as any RGB image: the map
    /// in the ControlNet's class colours, or white strokes on black for a scribble ControlNet.
    QString controlNet;
    QImage controlHint;
    /// Where the prompt's `<lora:name:weight>` tags and textual-inversion embedding names are
    /// looked up (the Settings dialog's folders; empty = none).
    QString loraFolder;
    QString embeddingsFolder;
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
    /// What the engine is doing when it is not a plain step: "loading", "encoding", "decoding",
    /// "tile 3/8"; empty while sampling. The UI translates the ones it knows.
    QString stage;
};

/// What a loaded model can do, as the UI needs it (palette, size rule, tasks).
struct ModelDescription
{
    QString key;          ///< what was asked for: a shipped name or a file path
    QString name;         ///< shipped name or file name
    QString path;         ///< the weight file
    QString hash;         ///< short sha256 of the file (A1111 "Model hash")
    QString description;  ///< kind and details, several lines
    QString family;       ///< "Stable Diffusion 1.x", "LDM super-resolution", ... or empty
    int clipLayers = 0;   ///< CLIP text encoder layers (CLIP skip 1..this); 0: no CLIP
    /// How the model's own release samples, when known (ldm::defaultSampling() turns it
    /// into the settings a new job starts from).
    SamplingDefaults releaseDefaults;
    QString prediction;   ///< what the UNet predicts: "eps" or "v"
    QStringList tasks;    ///< "txt2img", "paint", "upscale"
    int latentFactor = 8; ///< image sides must be multiples of this
    int trainedSize = 256;
    bool takesText = false;
    bool takesMap = false;
    ClassPalette palette; ///< the model's classes; empty when it names none
    /// SD x4 upscaler: the noise levels it takes (0..max) and its default; -1 for models
    /// without noise augmentation (they take no prompt either).
    int maxNoiseLevel = -1;
    int defaultNoiseLevel = -1;

    bool isValid() const { return !key.isEmpty(); }
    bool canDo(const QString& task) const { return tasks.contains(task); }
    /// A Stable Diffusion model that draws from text: a ControlNet lets it paint from a map.
    bool takesControlNet() const
    {
        return family.startsWith(QLatin1String("Stable Diffusion")) &&
               canDo(QStringLiteral("txt2img"));
    }
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
    /// Progress from an engine that keeps its own clock (its ETA leaves out model loading and
    /// prompt encoding) and names its stage. Elapsed and ETA are taken as given.
    virtual void reportProgress(const ProgressInfo& progress)
    {
        reportProgress(progress.step, progress.total);
    }
};

/// How a job ended. Cancelled is a status, not a failure.
struct JobOutcome
{
    enum class Status { Completed, Cancelled, Failed };
    Status status = Status::Failed;
    QImage image;         ///< Completed: the result
    Recipe recipe;        ///< Completed: the recipe as run (hashes, version, time filled in)
    QString message;      ///< Failed: a sentence a person can act on
    QStringList warnings; ///< Completed: what the user should know (e.g. a truncated prompt)

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
    /// Names of the models shipped with the app, for the model picker.
    virtual QStringList shippedModels() const { return {}; }
    /// The shipped model meant for a task ("txt2img", "paint", "upscale"), or "".
    virtual QString defaultModelFor(const QString& task) const
    {
        (void)task;
        return {};
    }
    /// Loads a shipped model by name or a checkpoint by path, keeping the previous one when it
    /// fails. The error message comes from the loader and names the problem.
    virtual Result<ModelDescription> loadModel(const QString& nameOrPath);
    /// The loaded model; invalid (empty key) when none is.
    virtual ModelDescription currentModel() const { return {}; }
    /// Runs one job to completion, cancellation or failure.
    virtual JobOutcome run(const GenerateRequest& request, JobContext& context) = 0;
};

/// Builds the engine; called once on the engine thread. May throw (reported as engineFailed).
using EngineFactory = std::function<std::unique_ptr<ImageEngine>()>;

} // namespace ldm::bridge

Q_DECLARE_METATYPE(ldm::bridge::JobOutcome)
Q_DECLARE_METATYPE(ldm::bridge::ProgressInfo)
Q_DECLARE_METATYPE(ldm::bridge::ModelDescription)
