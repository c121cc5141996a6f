// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bridge/image_engine.h"

#include <QString>

namespace ldm::ui {

/// Application-wide preferences (Settings dialog), stored in QSettings under "app/".
struct AppSettings
{
    int threads = 0;                            ///< engine threads; 0 = automatic
    QString precision = QStringLiteral("fp32"); ///< "fp32" | "bf16"
    int previewInterval = 1;                    ///< steps between previews; 0 = none
    bridge::PreviewMode previewMode = bridge::PreviewMode::LatentProjection;
    QString outputFolder; ///< extra copy of each result; "" = gallery only
    QString language;     ///< "" = system, "en", "vi"
    /// A1111's `models/Lora` and `embeddings`: where `<lora:name:weight>` in a prompt and
    /// embedding names find their files (subfolders too). Default: folders in the app's data
    /// folder, so there is always a place to drop them.
    QString loraFolder;
    QString embeddingsFolder;
    static QString defaultLoraFolder();
    static QString defaultEmbeddingsFolder();

    static AppSettings load();
    void save() const;
    bridge::EngineOptions engineOptions() const;
};

} // namespace ldm::ui
