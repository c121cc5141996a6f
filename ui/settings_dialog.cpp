// SPDX-License-Identifier: GPL-3.0-or-later
#include "settings_dialog.h"

#include "i18n.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

namespace ldm::ui {

SettingsDialog::SettingsDialog(const AppSettings& settings, QWidget* parent)
    : QDialog(parent)
    , m_original(settings)
    , m_threads(new QSpinBox(this))
    , m_precision(new QComboBox(this))
    , m_previewInterval(new QSpinBox(this))
    , m_previewMode(new QComboBox(this))
    , m_outputFolder(new QLineEdit(this))
    , m_language(new QComboBox(this))
    , m_loraFolder(new QLineEdit(settings.loraFolder, this))
    , m_embeddingsFolder(new QLineEdit(settings.embeddingsFolder, this))
{
    setWindowTitle(tr("Settings"));
    m_threads->setRange(0, 256);
    m_threads->setSpecialValueText(tr("Automatic (%1)").arg(QThread::idealThreadCount()));
    m_threads->setValue(settings.threads);
    m_threads->setToolTip(tr("Automatic leaves cores to other busy programs while it works; "
                             "a fixed count repeats a recipe's pixels exactly."));
    m_precision->addItem(tr("fp32 (exact)"), QStringLiteral("fp32"));
    m_precision->addItem(tr("bf16 (faster on recent CPUs, slightly different images)"),
                         QStringLiteral("bf16"));
    m_precision->setCurrentIndex(qMax(0, m_precision->findData(settings.precision)));
    m_previewInterval->setRange(0, 100);
    m_previewInterval->setSpecialValueText(tr("No previews"));
    m_previewInterval->setPrefix(tr("every "));
    m_previewInterval->setSuffix(tr(" step(s)"));
    m_previewInterval->setValue(settings.previewInterval);
    m_previewMode->addItem(tr("Latent projection (fast, approximate colours)"),
                           int(bridge::PreviewMode::LatentProjection));
    m_previewMode->addItem(tr("Full decode (exact, costs a decoder pass)"),
                           int(bridge::PreviewMode::FullDecode));
    m_previewMode->setCurrentIndex(qMax(0, m_previewMode->findData(int(settings.previewMode))));
    m_outputFolder->setText(settings.outputFolder);
    m_outputFolder->setPlaceholderText(tr("Gallery only"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Output Folder"), m_outputFolder->text());
        if (!dir.isEmpty())
            m_outputFolder->setText(dir);
    });
    m_language->addItem(tr("System default"), QString());
    for (const auto& [code, name] : availableLanguages())
        m_language->addItem(name, code);
    m_language->setCurrentIndex(qMax(0, m_language->findData(settings.language)));

    auto* engine = new QGroupBox(tr("Engine"), this);
    auto* engineForm = new QFormLayout(engine);
    engineForm->addRow(tr("Threads"), m_threads);
    engineForm->addRow(tr("Precision"), m_precision);
    auto* previews = new QGroupBox(tr("Previews"), this);
    auto* previewForm = new QFormLayout(previews);
    previewForm->addRow(tr("Interval"), m_previewInterval);
    previewForm->addRow(tr("Mode"), m_previewMode);
    auto* general = new QGroupBox(tr("General"), this);
    auto* generalForm = new QFormLayout(general);
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_outputFolder, 1);
    folderRow->addWidget(browse);
    generalForm->addRow(tr("Also save results to"), folderRow);
    generalForm->addRow(tr("Language"), m_language);
    auto* restartNote = new QLabel(tr("A new language applies after a restart."), this);
    restartNote->setEnabled(false);
    generalForm->addRow(QString(), restartNote);

    // A folder row with a Browse button (output, LoRA, embeddings).
    const auto folderRowFor = [this](QLineEdit* edit, const QString& title) {
        auto* row = new QHBoxLayout;
        auto* choose = new QPushButton(tr("Browse…"), this);
        connect(choose, &QPushButton::clicked, this, [this, edit, title] {
            const QString dir = QFileDialog::getExistingDirectory(this, title, edit->text());
            if (!dir.isEmpty())
                edit->setText(dir);
        });
        row->addWidget(edit, 1);
        row->addWidget(choose);
        return row;
    };
    auto* addOns = new QGroupBox(tr("LoRA and embeddings (Stable Diffusion models)"), this);
    auto* addOnForm = new QFormLayout(addOns);
    m_loraFolder->setToolTip(tr("Where <lora:name:weight> in a prompt finds name.safetensors "
                                "(subfolders too), as AUTOMATIC1111's models/Lora"));
    m_embeddingsFolder->setToolTip(tr("Textual-inversion embeddings: a prompt word equal to a "
                                      "file's name stands for its vectors"));
    addOnForm->addRow(tr("LoRA folder"), folderRowFor(m_loraFolder, tr("LoRA Folder")));
    addOnForm->addRow(tr("Embeddings folder"),
                      folderRowFor(m_embeddingsFolder, tr("Embeddings Folder")));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(engine);
    layout->addWidget(previews);
    layout->addWidget(general);
    layout->addWidget(addOns);
    layout->addWidget(buttons);
}

AppSettings SettingsDialog::settings() const
{
    AppSettings s = m_original;
    s.threads = m_threads->value();
    s.precision = m_precision->currentData().toString();
    s.previewInterval = m_previewInterval->value();
    s.previewMode = bridge::PreviewMode(m_previewMode->currentData().toInt());
    s.outputFolder = m_outputFolder->text().trimmed();
    s.language = m_language->currentData().toString();
    s.loraFolder = m_loraFolder->text().trimmed();
    s.embeddingsFolder = m_embeddingsFolder->text().trimmed();
    return s;
}

} // namespace ldm::ui
