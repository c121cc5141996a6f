// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace ldm::bridge {
class EngineController;
} // namespace ldm::bridge

namespace ldm::ui {
class MainWindow;
} // namespace ldm::ui

namespace ldm::desktop {

/// Saves <dir>/<activity>.png for every activity (QWidget::grab(), no X server needed) and
/// returns the process exit code. A sample label map is painted first so the Paint page shows
/// the canvas at work; `upscaleInput` (optional) is opened on the Upscale page. When the
/// engine has a shipped model, the Paint (and, for text models, Prompt) page generates first.
/// `promptCheckpoint` (optional) is opened on the Prompt page first, as "Open checkpoint…"
/// does, so a screenshot can show the app generating with a user's file (e.g. SD-1.x).
/// The Edit page is saved once per mode (edit-inpaint.png, edit-outpaint.png,
/// edit-img2img.png), editing the Paint page's picture.
int saveScreenshots(ui::MainWindow& window, bridge::EngineController& controller,
                    const QString& dir, const QString& upscaleInput,
                    const QString& promptCheckpoint = {});

/// Saves only the Paint page on a user's files: paint-controlnet.png (`sdCheckpoint`, a Stable
/// Diffusion file, painting through `controlNet`, a segmentation ControlNet: the ADE20K palette)
/// and paint-cocostuff.png (`semanticCheckpoint`, a 182-class semantic-synthesis release: the
/// COCO-Stuff palette); each when its files are given. The sample map is painted in the
/// landscape palette and carried over by class name. Returns the process exit code.
int savePaintModelScreenshots(ui::MainWindow& window, bridge::EngineController& controller,
                              const QString& dir, const QString& sdCheckpoint,
                              const QString& controlNet, const QString& semanticCheckpoint);

} // namespace ldm::desktop
