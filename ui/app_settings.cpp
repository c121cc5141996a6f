// SPDX-License-Identifier: GPL-3.0-or-later
#include "app_settings.h"

#include <QDir>
#include <QSettings>
#include <QStandardPaths>

namespace ldm::ui {

AppSettings AppSettings::load()
{
    QSettings s;
    AppSettings a;
    a.threads = qBound(0, s.value(QStringLiteral("app/threads"), 0).toInt(), 256);
    const QString precision = s.value(QStringLiteral("app/precision")).toString();
    if (precision == QLatin1String("bf16") || precision == QLatin1String("fp32"))
        a.precision = precision;
    a.previewInterval = qBound(0, s.value(QStringLiteral("app/previewInterval"), 1).toInt(), 100);
    a.previewMode = s.value(QStringLiteral("app/previewMode")).toString() == QLatin1String("full")
                        ? bridge::PreviewMode::FullDecode
                        : bridge::PreviewMode::LatentProjection;
    a.outputFolder = s.value(QStringLiteral("app/outputFolder")).toString();
    a.language = s.value(QStringLiteral("app/language")).toString();
    a.loraFolder = s.value(QStringLiteral("app/loraFolder"), defaultLoraFolder()).toString();
    a.embeddingsFolder =
        s.value(QStringLiteral("app/embeddingsFolder"), defaultEmbeddingsFolder()).toString();
    // The default folders exist, so a person has a place to drop LoRA and embedding files.
    for (const QString& folder : {defaultLoraFolder(), defaultEmbeddingsFolder()})
        QDir().mkpath(folder);
    return a;
}

QString AppSettings::defaultLoraFolder()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("Lora"));
}

QString AppSettings::defaultEmbeddingsFolder()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("embeddings"));
}

void AppSettings::save() const
{
    QSettings s;
    s.setValue(QStringLiteral("app/threads"), threads);
    s.setValue(QStringLiteral("app/precision"), precision);
    s.setValue(QStringLiteral("app/previewInterval"), previewInterval);
    s.setValue(QStringLiteral("app/previewMode"), previewMode == bridge::PreviewMode::FullDecode
                                                      ? QStringLiteral("full")
                                                      : QStringLiteral("latent"));
    s.setValue(QStringLiteral("app/outputFolder"), outputFolder);
    s.setValue(QStringLiteral("app/language"), language);
    s.setValue(QStringLiteral("app/loraFolder"), loraFolder);
    s.setValue(QStringLiteral("app/embeddingsFolder"), embeddingsFolder);
}

bridge::EngineOptions AppSettings::engineOptions() const
{
    bridge::EngineOptions options;
    options.threads = threads;
    return options;
}

} // namespace ldm::ui
