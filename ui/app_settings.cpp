// SPDX-License-Identifier: GPL-3.0-or-later
#include "app_settings.h"

#include <QSettings>

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
    return a;
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
}

bridge::EngineOptions AppSettings::engineOptions() const
{
    bridge::EngineOptions options;
    options.threads = threads;
    return options;
}

} // namespace ldm::ui
