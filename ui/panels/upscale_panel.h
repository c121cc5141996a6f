// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QImage>
#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QSettings;
class QSpinBox;
class QToolButton;

namespace ldm::ui {

class CompareView;
class ModelPicker;

/// The Upscale activity: 4× latent super-resolution of an opened or dropped picture, with a
/// before/after split view.
class UpscalePanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpscalePanel)

public:
    static constexpr int Factor = 4;
    /// Largest input side: 4× of it is the largest output we let a job produce.
    static constexpr int MaxInputSide = 1024;

    explicit UpscalePanel(QWidget* parent = nullptr);

    void setGenerateAction(QAction* action);
    /// Loads the input picture; shows a message and returns false when it cannot be used.
    bool openImage(const QString& path);
    QImage input() const { return m_input; }
    QString inputPath() const { return m_inputPath; }
    int steps() const;
    quint64 seed() const;
    int tileSize() const;
    CompareView* compare() const { return m_compare; }
    ModelPicker* modelPicker() const { return m_models; }

    void saveState(QSettings& settings) const;
    void restoreState(QSettings& settings);

Q_SIGNALS:
    void statusMessage(const QString& text);

private:
    void chooseImage();

    QImage m_input;
    QString m_inputPath;
    QLabel* m_inputInfo;
    QLabel* m_outputInfo;
    QSpinBox* m_steps;
    QLineEdit* m_seed;
    QComboBox* m_tile;
    QToolButton* m_generate;
    CompareView* m_compare;
    ModelPicker* m_models;
};

} // namespace ldm::ui
