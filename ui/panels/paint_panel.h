// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bridge/image_engine.h"
#include "ldm/recipe.h"

#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QSettings;
class QToolButton;

namespace ldm::ui {

class ControlNetBox;
class GenerationSettings;
class LabelDocument;
class ModelPicker;
class PaintTools;
class PaletteList;
class PreviewView;
class SemanticCanvas;

/// The Paint activity: a semantic label map painted with exact class ids, the class palette,
/// an optional prompt and the sampler settings; the generated picture beside the map.
class PaintPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PaintPanel)

public:
    explicit PaintPanel(QWidget* parent = nullptr);

    void setGenerateAction(QAction* action);
    LabelDocument* document() const { return m_document; }
    SemanticCanvas* canvas() const { return m_canvas; }
    GenerationSettings* settings() const { return m_settings; }
    PreviewView* preview() const { return m_preview; }
    ModelPicker* modelPicker() const { return m_models; }
    ControlNetBox* controlNet() const { return m_control; }
    QString prompt() const;
    /// Adopts a loaded model's rules: its classes become the palette (the app's landscape
    /// palette when it names none) and new maps snap to its latent factor. A Stable Diffusion
    /// model paints through a ControlNet: the ControlNet's palette (ADE20K, or strokes).
    void applyModel(const bridge::ModelDescription& model);
    /// Why Generate cannot run yet (a Stable Diffusion model without a ControlNet); "" when
    /// it can.
    QString problem() const;
    /// True when the chosen model paints through the chosen ControlNet.
    bool usesControlNet() const;
    /// The ControlNet's hint from the map: the class colours for a segmentation ControlNet,
    /// white strokes on black for a scribble one (lllyasviel's scribble convention).
    QImage controlHint() const;
    /// With usesControlNet(): the ControlNet file, hint and settings into `request`.
    void fillControl(bridge::GenerateRequest& request) const;
    /// Side of new maps snaps to multiples of this.
    int mapMultiple() const { return m_mapMultiple; }
    /// A map nobody has touched yet (no file, no edit) takes the model's training size: a map
    /// at another scale is slow and paints badly. A painted or opened map is kept.
    void adoptModelSize(int trainedSize);
    /// Before a map is replaced: true when it has no unsaved changes, or the user saved or
    /// discarded them; false when they cancelled.
    bool confirmDiscardMap();

    /// Map file actions, also placed in the main window's menus.
    QAction* newMapAction() const { return m_newMap; }
    QAction* openMapAction() const { return m_openMap; }
    QAction* saveMapAction() const { return m_saveMap; }
    QAction* saveMapAsAction() const { return m_saveMapAs; }

    /// Loads a map file: decoded off the GUI thread, then (asking before unknown colours are
    /// mapped) put into the document. mapOpened() tells when it is in.
    void openMap(const QString& path);
    /// Restores prompt and sampler settings; the map itself comes from openMap().
    void applyRecipe(const Recipe& recipe);

    void saveState(QSettings& settings) const;
    void restoreState(QSettings& settings);

Q_SIGNALS:
    void statusMessage(const QString& text);
    void mapOpened(const QString& path);

private:
    void newMap();
    void chooseMapToOpen();
    bool saveMap();
    bool saveMapAs();
    QWidget* buildSidePanel();
    void updateMapInfo();
    void fillDefaultClasses();
    // paint_panel_control.cpp
    /// The palette the model and the ControlNet ask for; empty to keep the current one.
    bridge::ClassPalette wantedPalette() const;
    /// Switches to wantedPalette(), converting the map by class name, and says what changed.
    void followPalette();
    void applyControlRecipe(const Recipe& recipe);

    LabelDocument* m_document;
    PaintTools* m_tools;
    SemanticCanvas* m_canvas;
    PaletteList* m_palette;
    ModelPicker* m_models;
    ControlNetBox* m_control;
    bridge::ModelDescription m_model; ///< the chosen model, once loaded
    QComboBox* m_defaultClass;
    QLineEdit* m_prompt;
    GenerationSettings* m_settings;
    QToolButton* m_generate;
    PreviewView* m_preview;
    QLabel* m_mapInfo;
    QAction* m_newMap;
    QAction* m_openMap;
    QAction* m_saveMap;
    QAction* m_saveMapAs;
    QString m_mapPath;
    int m_mapMultiple = 8;
};

} // namespace ldm::ui
