// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ldm/recipe.h"

#include <QGroupBox>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QSettings;

namespace ldm::ui {

/// The ControlNet that lets a Stable Diffusion model paint (lllyasviel's control_*.pth /
/// .safetensors files): which file, what it reads (a segmentation map in ADE20K's colours or a
/// scribble), its strength, the fraction of the steps it acts on and guess mode; the settings
/// of A1111's ControlNet unit. Remembers the files chosen before.
class ControlNetBox final : public QGroupBox
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ControlNetBox)

public:
    /// What the ControlNet was trained to read, which decides the palette and the hint.
    enum class Kind { Segmentation, Scribble };

    explicit ControlNetBox(QWidget* parent = nullptr);

    /// The chosen file; "" when none is.
    QString path() const;
    Kind kind() const;
    void setKind(Kind kind);
    /// What a file's name says it reads ("…scribble…" → Scribble, anything else a map).
    static Kind kindOfFile(const QString& path);

    /// Adds `path` to the top of the remembered files and chooses it (its kind from its name).
    void setControlFile(const QString& path);
    /// Strength, start, end and guess mode into `control` (the engine fills name and hashes).
    void fillRecipe(ControlRecipe& control) const;
    /// Restores the settings and chooses the remembered file named control.model (or one of
    /// that name in `folders`). False when no such file is known: the settings are restored,
    /// the file is left for the user to choose.
    bool applyRecipe(const ControlRecipe& control, const QStringList& folders = {});

    /// The settings as fillRecipe() writes them (file name and hashes left empty).
    ControlRecipe settings() const;
    void setStrength(double strength);
    void setRange(double start, double end);
    void setGuessMode(bool on);

    void saveState(QSettings& settings) const;
    void restoreState(QSettings& settings);

public Q_SLOTS:
    void chooseFile();

Q_SIGNALS:
    /// The file or its kind changed: the palette and the hint may follow.
    void controlChanged();

private:
    void rebuild(const QString& select);

    QComboBox* m_file;
    QComboBox* m_kind;
    QDoubleSpinBox* m_strength;
    QDoubleSpinBox* m_start;
    QDoubleSpinBox* m_end;
    QCheckBox* m_guessMode;
    QStringList m_recent;
};

} // namespace ldm::ui
