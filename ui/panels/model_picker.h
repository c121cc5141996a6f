// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QComboBox;

namespace ldm::ui {

/// Recent checkpoints plus "Open checkpoint…"; remembers the list in QSettings.
class ModelPicker final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelPicker)

public:
    explicit ModelPicker(QWidget* parent = nullptr);

    /// Full path of the chosen checkpoint, or "" for the engine's default model.
    QString checkpointPath() const;
    /// Adds `path` to the top of the list and selects it.
    void addCheckpoint(const QString& path);
    /// Selects the entry whose file name is `name`, if present.
    bool selectByName(const QString& name);

public Q_SLOTS:
    void openCheckpoint();

Q_SIGNALS:
    void checkpointChanged(const QString& path);

private:
    void saveRecent() const;

    QComboBox* m_combo;
};

} // namespace ldm::ui
