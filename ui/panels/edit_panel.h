// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bridge/image_engine.h"
#include "canvas/mask_ops.h"
#include "ldm/recipe.h"

#include <QWidget>

class QAction;
class QButtonGroup;
class QCheckBox;
class QLabel;
class QSettings;
class QSlider;
class QSpinBox;
class QToolButton;
class QUndoGroup;
class QUndoStack;

namespace ldm::ui {

class GenerationSettings;
class MaskCanvas;
class MaskDocument;
class MaskToolBar;
class ModelPicker;
class PreviewView;
class PromptFields;

/// What an edit job sends the engine.
struct EditInputs
{
    QString task;         ///< "inpaint", "outpaint" or "img2img"
    QImage picture;       ///< Format_RGB888: the picture (outpaint: before it grows)
    QImage mask;          ///< Format_Grayscale8, feathered (inpaint only)
    mask::Margins growth; ///< outpaint: pixels the engine adds per side
    QSize resultSize;     ///< the size of the result (outpaint: the grown canvas)
};

/// The Edit activity: a picture (opened, dropped, or taken from a result or the gallery) with a
/// mask painted over it, in one of three modes:
/// - Inpaint: the engine redraws the masked area and keeps the rest exactly;
/// - Outpaint: the canvas grows by chosen pixels on chosen sides and the engine fills the new
///   area (its "outpaint" task: edge-extended, inpainted, every input pixel kept); the canvas
///   shows the grown picture and the new area's mask as the engine will start from them;
/// - Image to image: the whole picture is redrawn, `strength` saying how much.
/// Prompt, model and sampler settings are the Prompt activity's widgets; the result and the
/// previews show on the right.
class EditPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EditPanel)

public:
    enum class Mode { Inpaint, Outpaint, ImageToImage };

    /// `undo` collects the panel's undo stacks (the main window's group, so Ctrl+Z follows the
    /// page); the panel makes its own when null.
    explicit EditPanel(QUndoGroup* undo = nullptr, QWidget* parent = nullptr);

    void setGenerateAction(QAction* action);
    void setCancelAction(QAction* action);

    Mode mode() const { return m_mode; }
    void setMode(Mode mode);
    /// 0 keeps the picture, 1 redraws it (or the masked area) from noise; one value per mode.
    double strength() const;
    void setStrength(double strength);
    /// Pixels the mask is grown by, with a soft edge (mask::feathered).
    int feather() const;
    void setFeather(int pixels);
    mask::Margins outpaintMargins() const;
    /// Grows by `pixels` on the chosen sides.
    void setOutpaint(int pixels, bool left, bool top, bool right, bool bottom);

    QString prompt() const;
    QString negativePrompt() const;
    PromptFields* promptFields() const { return m_fields; }
    GenerationSettings* settings() const { return m_settings; }
    ModelPicker* modelPicker() const { return m_models; }
    PreviewView* preview() const { return m_preview; }
    MaskCanvas* canvas() const { return m_canvas; }
    MaskToolBar* toolBar() const { return m_toolBar; }
    /// The picture and mask being edited (the source picture in every mode).
    MaskDocument* document() const { return m_document; }
    /// The document the canvas shows: the grown canvas when outpainting.
    MaskDocument* activeDocument() const;
    QAction* openImageAction() const { return m_openImage; }

    /// Starts editing `picture` (cut to the model's grid) with an empty mask.
    bool setPicture(const QImage& picture, const QString& name);
    /// Opens an image file; false (with a message box) when it cannot be used.
    bool openImage(const QString& path);
    /// Replaces the mask with one read from an image file (mask::fromImage; one undo step);
    /// false (with a message box) when there is no picture or the file cannot be read.
    bool loadMask(const QString& path);
    /// Writes the mask as a greyscale PNG, atomically; false (with a message box) on failure.
    bool saveMask(const QString& path);
    /// "Edit" on a result: the picture, with the prompt it was made with.
    bool editResult(const QImage& picture, const Recipe& recipe);
    /// Restores an edit from the gallery: picture, mask, growth and settings as they ran. The
    /// mask is the one the engine received, feather included, so the feather is set to 0.
    void restoreEdit(const Recipe& recipe, const QImage& input, const QImage& mask);
    /// Prompt and sampler settings of a recipe (not its pictures).
    void applyRecipe(const Recipe& recipe);
    /// Adopts a loaded model's grid: pictures and growth snap to its latent factor.
    void applyModel(const bridge::ModelDescription& model);

    /// Why Generate cannot run now ("" when it can).
    QString problem() const;
    /// What a job sends now.
    EditInputs inputs() const;
    /// Makes this panel's active document the undo group's active stack.
    void activateUndo();
    /// True when the undo group's active stack is one of this panel's.
    bool ownsUndo() const;

    void saveState(QSettings& settings) const;
    void restoreState(QSettings& settings);

Q_SIGNALS:
    void statusMessage(const QString& text);

private:
    QWidget* buildSidePanel();
    QWidget* buildModeControls();
    void chooseImage();
    void chooseMaskToLoad();
    void chooseMaskToSave();
    void rebuildOutpaint();
    void updateInfo();
    void updateModeControls();
    /// activateUndo() when the panel holds the undo group already (its page is in front).
    void followUndo();

    QUndoGroup* m_undo;
    MaskDocument* m_document;
    MaskDocument* m_outpaint;
    MaskCanvas* m_canvas;
    MaskToolBar* m_toolBar;
    PromptFields* m_fields;
    ModelPicker* m_models;
    GenerationSettings* m_settings;
    PreviewView* m_preview;
    QButtonGroup* m_modes;
    QSlider* m_strength;
    QLabel* m_strengthValue;
    QSpinBox* m_feather;
    QWidget* m_outpaintBox;
    QSpinBox* m_growBy;
    QCheckBox* m_sides[4]; ///< left, top, right, bottom
    QLabel* m_info;
    QToolButton* m_generate;
    QToolButton* m_cancel;
    QAction* m_openImage;
    QString m_pictureName;
    Mode m_mode = Mode::Inpaint;
    double m_strengths[3] = {1.0, 1.0, 0.75}; ///< per mode
    int m_multiple = 8;
};

} // namespace ldm::ui
