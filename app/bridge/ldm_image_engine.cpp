// SPDX-License-Identifier: GPL-3.0-or-later
#include "ldm_image_engine.h"

#include <QDateTime>
#include <QRegularExpression>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace ldm::bridge {

namespace {

constexpr int MaxPreviewSide = 1024;

QString fromStd(const std::string& text)
{
    return QString::fromStdString(text);
}

// Engine messages start in lower case ("size 65x64 is outside ..."); a dialog wants a sentence.
QString sentence(const std::string& text)
{
    QString s = fromStd(text).trimmed();
    if (!s.isEmpty())
        s[0] = s[0].toUpper();
    return s;
}

qint64 toMs(double seconds)
{
    return std::isfinite(seconds) && seconds >= 0 ? qint64(std::llround(seconds * 1000.0)) : -1;
}

} // namespace

QImage imageFromRgb(const ldm::RgbImage& rgb)
{
    if (rgb.empty() || rgb.pixels.size() != size_t(rgb.width) * size_t(rgb.height) * 3)
        return {};
    // QImage allocates (and owns) its rows, padded to 4 bytes: copy row by row.
    QImage image(rgb.width, rgb.height, QImage::Format_RGB888);
    if (image.isNull())
        return {};
    const size_t rowBytes = size_t(rgb.width) * 3;
    for (int y = 0; y < rgb.height; ++y)
        std::memcpy(image.scanLine(y), rgb.pixels.data() + size_t(y) * rowBytes, rowBytes);
    return image;
}

ldm::RgbImage rgbFromImage(const QImage& image)
{
    ldm::RgbImage rgb;
    if (image.isNull())
        return rgb;
    const QImage packed = image.format() == QImage::Format_RGB888
                              ? image
                              : image.convertToFormat(QImage::Format_RGB888);
    rgb.width = packed.width();
    rgb.height = packed.height();
    const size_t rowBytes = size_t(rgb.width) * 3;
    rgb.pixels.resize(rowBytes * size_t(rgb.height));
    for (int y = 0; y < rgb.height; ++y)
        std::memcpy(rgb.pixels.data() + size_t(y) * rowBytes, packed.constScanLine(y), rowBytes);
    return rgb;
}

ldm::LabelMap labelMapFromIds(const QImage& ids)
{
    ldm::LabelMap map;
    if (ids.isNull() || ids.format() != QImage::Format_Indexed8)
        return map;
    map.width = ids.width();
    map.height = ids.height();
    map.ids = labelIds(ids);
    return map;
}

ModelDescription describeModel(const QString& key, const ldm::ModelInfo& info)
{
    ModelDescription d;
    d.key = key;
    d.name = fromStd(info.name);
    d.path = fromStd(info.path);
    d.hash = fromStd(info.hash);
    d.description = fromStd(info.description);
    d.family = fromStd(info.family);
    d.clipLayers = info.clipLayers;
    d.releaseDefaults = info.releaseDefaults;
    d.prediction = fromStd(info.prediction);
    for (const auto& task : info.tasks)
        d.tasks << fromStd(task);
    d.latentFactor = info.latentFactor > 0 ? info.latentFactor : 8;
    d.trainedSize = info.trainedSize;
    d.takesText = info.takesText;
    d.takesMap = info.takesMap;
    d.maxNoiseLevel = info.maxNoiseLevel;
    d.defaultNoiseLevel = info.defaultNoiseLevel;
    if (!info.classes.empty()) {
        QList<SemanticClass> classes;
        for (const auto& c : info.classes)
            classes.append({c.id, fromStd(c.name), QColor(fromStd(c.color))});
        // A model whose palette breaks the rules (repeated colours...) keeps the app's palette
        // rather than a canvas where two classes look alike.
        auto palette = ClassPalette::fromClasses(d.name, classes);
        if (palette.ok())
            d.palette = palette.value();
    }
    return d;
}

std::unique_ptr<LdmImageEngine> LdmImageEngine::create(const Options& options)
{
    ldm::EngineOptions engineOptions;
    engineOptions.threads = options.threads;
    engineOptions.device = options.device.toStdString();
    engineOptions.modelDir = options.modelDir.toStdString();
    auto engine = ldm::Engine::create(engineOptions);
    if (!engine.ok())
        throw std::runtime_error(sentence(engine.error().message).toStdString());
    return std::unique_ptr<LdmImageEngine>(new LdmImageEngine(std::move(engine.value())));
}

LdmImageEngine::LdmImageEngine(std::unique_ptr<ldm::Engine> engine)
    : m_engine(std::move(engine))
{
}

LdmImageEngine::~LdmImageEngine() = default;

QString LdmImageEngine::deviceName() const
{
    // The engine speaks English ("CPU (2 threads)", "CUDA device 0"); the status bar should not.
    const QString name = fromStd(m_engine->deviceName());
    static const QRegularExpression cpu(QStringLiteral("^CPU \\((\\d+) threads?\\)$"));
    static const QRegularExpression cuda(QStringLiteral("^CUDA device (\\d+)$"));
    if (const auto match = cpu.match(name); match.hasMatch())
        return tr("CPU (threads: %1)").arg(match.captured(1));
    if (const auto match = cuda.match(name); match.hasMatch())
        return tr("CUDA device %1").arg(match.captured(1));
    return name;
}

void LdmImageEngine::configure(const EngineOptions& options)
{
    m_engine->setThreads(options.threads);
}

QStringList LdmImageEngine::shippedModels() const
{
    QStringList names;
    for (const auto& name : m_engine->shippedModels())
        names << fromStd(name);
    return names;
}

QString LdmImageEngine::defaultModelFor(const QString& task) const
{
    return fromStd(m_engine->defaultModelFor(task.toStdString()));
}

Result<ModelDescription> LdmImageEngine::loadModel(const QString& nameOrPath)
{
    if (nameOrPath.isEmpty())
        return makeError(ErrorCode::InvalidRequest, tr("No model was chosen.").toStdString());
    if (m_model.isValid() && m_model.key == nameOrPath)
        return m_model; // loading is seconds of work; the same key is the same file
    auto info = m_engine->loadModel(nameOrPath.toStdString());
    if (!info.ok())
        return makeError(info.error().code, sentence(info.error().message).toStdString());
    m_model = describeModel(nameOrPath, info.value());
    return m_model;
}

QString LdmImageEngine::modelFor(const GenerateRequest& request, QString& error) const
{
    if (!request.model.isEmpty())
        return request.model;
    const QString task = fromStd(request.recipe.task);
    if (m_model.isValid() && m_model.canDo(task))
        return m_model.key;
    const QString fallback = fromStd(m_engine->defaultModelFor(request.recipe.task));
    if (shippedModels().contains(fallback))
        return fallback;
    error = tr("No model for this task is installed. Open a checkpoint (File ▸ Open "
               "Checkpoint…) or install the shipped models.");
    return {};
}

bool LdmImageEngine::buildRequest(const GenerateRequest& request, ldm::GenerateRequest& out,
                                  QString& error) const
{
    out.recipe = request.recipe;
    out.loraDir = request.loraFolder.toStdString();
    out.embeddingsDir = request.embeddingsFolder.toStdString();
    if (!request.controlNet.isEmpty()) {
        // The ControlNet's hint replaces the class-id map: the engine reads its colours.
        out.control.path = request.controlNet.toStdString();
        out.control.hint = rgbFromImage(request.controlHint);
        if (out.control.hint.empty()) {
            error = tr("The ControlNet has no control map to follow.");
            return false;
        }
    } else if (request.recipe.task == "paint") {
        out.map = labelMapFromIds(request.labelMap);
        if (out.map.empty()) {
            error = tr("The label map is missing or is not an indexed image.");
            return false;
        }
    } else if (request.recipe.task == "upscale") {
        out.input = rgbFromImage(request.inputImage);
        if (out.input.empty()) {
            error = tr("There is no picture to upscale.");
            return false;
        }
    } else if (request.recipe.task == "img2img" || request.recipe.task == "inpaint" ||
               request.recipe.task == "outpaint") {
        out.input = rgbFromImage(request.inputImage);
        if (out.input.empty()) {
            error = tr("There is no picture to edit.");
            return false;
        }
        if (request.recipe.task == "inpaint") {
            // Grey levels become equal RGB channels, so the engine's channel-mean rule reads
            // the mask exactly as painted.
            out.mask = rgbFromImage(request.mask);
            if (out.mask.empty()) {
                error = tr("There is no mask: paint the area to fill first.");
                return false;
            }
        }
    }
    if (request.previewInterval <= 0) {
        out.previewMode = ldm::PreviewMode::None;
    } else {
        out.previewMode = request.previewMode == PreviewMode::FullDecode
                              ? ldm::PreviewMode::FullDecode
                              : ldm::PreviewMode::LatentProjection;
        out.previewInterval = request.previewInterval;
    }
    return true;
}

JobOutcome LdmImageEngine::outcomeOf(const ldm::Error& error) const
{
    switch (error.code) {
    case ErrorCode::Cancelled:
        return JobOutcome::cancelled();
    case ErrorCode::OutOfMemory:
        return JobOutcome::failed(
            tr("Out of memory. Try a smaller image, fewer steps or bf16 precision."));
    case ErrorCode::InvalidRequest:
        return JobOutcome::failed(
            tr("This picture cannot be made: %1").arg(sentence(error.message)));
    case ErrorCode::DeviceUnavailable:
        return JobOutcome::failed(tr("The device is unavailable: %1").arg(sentence(error.message)));
    case ErrorCode::InvalidFile:
    case ErrorCode::WeightsMismatch:
    case ErrorCode::Internal:
        break;
    }
    return JobOutcome::failed(tr("The engine failed: %1").arg(sentence(error.message)));
}

JobOutcome LdmImageEngine::run(const GenerateRequest& request, JobContext& context)
{
    QString error;
    const QString key = modelFor(request, error);
    if (key.isEmpty())
        return JobOutcome::failed(error);
    if (!m_model.isValid() || m_model.key != key) {
        ProgressInfo loading;
        loading.stage = QStringLiteral("loading");
        context.reportProgress(loading);
        auto loaded = loadModel(key);
        if (!loaded.ok())
            return JobOutcome::failed(
                tr("Cannot load the model “%1”: %2").arg(key, fromStd(loaded.error().message)));
    }
    if (context.isCancelled())
        return JobOutcome::cancelled();

    ldm::GenerateRequest engineRequest;
    if (!buildRequest(request, engineRequest, error))
        return JobOutcome::failed(error);
    // The engine polls its own token; the controller's flag is copied into it at every
    // callback, and the engine reports after every sampler step, so a cancel lands within one
    // step (and before decoding, which also reports).
    auto token = std::make_shared<ldm::CancelToken>();
    engineRequest.cancel = token;
    engineRequest.onProgress = [&context, &token](const ldm::ProgressInfo& p) {
        if (context.isCancelled())
            token->cancel();
        ProgressInfo info;
        info.step = p.step;
        info.total = p.total;
        info.elapsedMs = toMs(p.elapsedSeconds);
        info.etaMs = p.step > 0 ? toMs(p.etaSeconds) : -1;
        info.stage = p.stage == "sampling" ? QString() : fromStd(p.stage);
        context.reportProgress(info);
    };
    // Latent projections come at latent resolution; scaled smoothly to the picture's size here
    // (on the engine thread) so the preview and the result line up on screen.
    // Capped: a 4x upscale preview at full size would cost more than the step it shows.
    QSize target(request.recipe.width, request.recipe.height);
    if (target.width() > MaxPreviewSide || target.height() > MaxPreviewSide)
        target.scale(MaxPreviewSide, MaxPreviewSide, Qt::KeepAspectRatio);
    engineRequest.onPreview = [&context, &token, target](const ldm::PreviewFrame& frame) {
        if (context.isCancelled()) {
            token->cancel();
            return;
        }
        QImage image = imageFromRgb(frame.image);
        if (image.isNull())
            return;
        if (image.size() != target && !target.isEmpty())
            image = image.scaled(target, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        context.reportPreview(image, frame.step, frame.total);
    };

    auto result = m_engine->generate(engineRequest);
    if (!result.ok())
        return outcomeOf(result.error());
    if (context.isCancelled())
        return JobOutcome::cancelled();
    QImage image = imageFromRgb(result->image);
    if (image.isNull())
        return JobOutcome::failed(tr("The engine returned an empty picture."));
    Recipe recipe = result->recipe;
    if (recipe.createdAt.empty())
        recipe.createdAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    JobOutcome outcome = JobOutcome::completed(std::move(image), std::move(recipe));
    for (const auto& warning : result->warnings) {
        // The engine's words are English; the one warning it gives today reads better in ours.
        outcome.warnings << (warning.find("truncated") != std::string::npos
                                 ? tr("The prompt was longer than this model reads; its end "
                                      "was left out.")
                                 : sentence(warning));
    }
    return outcome;
}

} // namespace ldm::bridge
