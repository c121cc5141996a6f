// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bridge/image_engine.h"

#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;

namespace ldm::ui {

/// Chooses the model of one activity: the shipped models the engine found, recent checkpoint
/// files and "Open checkpoint…". Below the list it shows what the chosen model is (or that it
/// is loading, or why it failed to load). Remembers its choice and the recent files in
/// QSettings.
class ModelPicker final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelPicker)

public:
    /// `task` is what the activity does with the model ("txt2img", "paint", "upscale"); the
    /// picker warns when the chosen model cannot do it. `settingsKey` names its saved choice.
    ModelPicker(const QString& task, const QString& settingsKey, QWidget* parent = nullptr);

    QString task() const { return m_task; }
    /// A shipped model's name or a checkpoint's path; "" when there is nothing to choose.
    QString modelKey() const;
    /// Lists the shipped models; selects the saved choice, else `preferred`, else the first.
    void setShippedModels(const QStringList& names, const QString& preferred);
    /// Adds `path` to the top of the recent checkpoints and selects it.
    void addCheckpoint(const QString& path);
    /// Selects the entry whose shown name is `name`, if present.
    bool selectByName(const QString& name);
    /// Takes a checkpoint that failed to load off the saved recent list, so it is not offered
    /// again; its entry stays (marked) until the list is next rebuilt, so its error can be
    /// read. False when `path` is not a recent checkpoint (a shipped model stays listed).
    bool forgetCheckpoint(const QString& path);
    /// For models that cannot do the task themselves but the activity can still use (a
    /// ControlNet lets a Stable Diffusion model paint): returns the line shown instead of the
    /// error, or "" when the model is of no use.
    void setAlternativeUse(std::function<QString(const bridge::ModelDescription&)> use);

    /// What the status line under the list shows for the chosen model.
    void showLoading();
    void showModel(const bridge::ModelDescription& model);
    void showError(const QString& message);
    /// The status line's text (what the model can do, "loading", or the load error).
    QString statusText() const;
    /// The description shown, when it belongs to the current choice.
    bridge::ModelDescription model() const { return m_model; }
    /// True when the chosen model is loaded and can do the task (itself or by its alternative
    /// use): what the activity needs before it can generate.
    bool canDoTask() const { return m_canDoTask && m_model.key == modelKey(); }
    /// True when the list holds the engine's preferred model for the task (for Upscale: the
    /// shipped super-resolution model).
    bool hasPreferredModel() const { return m_shipped.contains(m_preferred); }

public Q_SLOTS:
    void openCheckpoint();

Q_SIGNALS:
    /// The user (or a restore) chose another model.
    void modelChanged(const QString& key);
    /// The status line changed: loading, loaded (canDoTask() may have changed) or failed.
    void statusChanged();

private:
    void rebuild(const QString& select);
    void saveChoice() const;
    void setStatus(const QString& text, bool error, bool canDoTask = false);

    QString m_task;
    QString m_settingsKey;
    QComboBox* m_combo;
    QLabel* m_status;
    QStringList m_shipped;
    QStringList m_recent;
    QString m_preferred;
    bridge::ModelDescription m_model;
    bool m_canDoTask = false;
    std::function<QString(const bridge::ModelDescription&)> m_alternativeUse;
};

/// Human words for a task id, for messages ("paint" -> "paint from a map").
QString taskDisplayName(const QString& task);
/// What the Upscale page says when its model cannot upscale: that no upscaling model is
/// installed (or, when `installed` names the shipped one, to choose it), which files upscale
/// and how to get one.
QString upscalerNeededText(const QString& installed = QString());

} // namespace ldm::ui
