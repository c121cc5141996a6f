// SPDX-License-Identifier: GPL-3.0-or-later
#include "about_dialog.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFile>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace ldm::ui {

QString AboutDialog::findDataCard()
{
    QStringList candidates;
    // The same variable the engine reads for its shipped models (model_registry.cpp).
    const QString fromEnv = qEnvironmentVariable("LDM_MODEL_DIR");
    if (!fromEnv.isEmpty())
        candidates << fromEnv + QStringLiteral("/DATA_CARD.md");
    candidates << QCoreApplication::applicationDirPath() +
                      QStringLiteral("/../share/latent-canvas/models/DATA_CARD.md");
    for (const QString& dir : QStandardPaths::standardLocations(QStandardPaths::AppDataLocation))
        candidates << dir + QStringLiteral("/models/DATA_CARD.md");
#ifdef LDM_DATA_CARD_PATH
    candidates << QStringLiteral(LDM_DATA_CARD_PATH); // running from a build tree
#endif
    for (const QString& path : std::as_const(candidates)) {
        if (QFile::exists(path))
            return path;
    }
    return {};
}

AboutDialog::AboutDialog(QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("About Latent Canvas"));
    auto* icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/icons/latent-canvas.svg")).pixmap(96, 96));
    auto* title = new QLabel(
        tr("<h2>Latent Canvas %1</h2><p>Paint, prompt and upscale with latent diffusion models, "
           "entirely on your own computer.</p><p>Licensed under the GNU General Public License, "
           "version 3 or later.</p>")
            .arg(QApplication::applicationVersion()),
        this);
    title->setWordWrap(true);
    auto* header = new QHBoxLayout;
    header->addWidget(icon, 0, Qt::AlignTop);
    header->addWidget(title, 1);

    auto* credits = new QTextBrowser(this);
    credits->setOpenExternalLinks(true);
    credits->setMarkdown(tr(
        "**Method**: *High-Resolution Image Synthesis with Latent Diffusion Models*, Rombach, "
        "Blattmann, Lorenz, Esser and Ommer, CVPR 2022; reference code by CompVis (MIT licence)."
        "\n\n**Libraries**: Qt 6 (LGPL 3), LibTorch (BSD 3-clause), QuaZip (LGPL 2.1), "
        "nlohmann/json (MIT), OpenCV (Apache 2.0), yaml-cpp (MIT), SentencePiece (Apache 2.0)."));
    auto* tabs = new QTabWidget(this);
    tabs->addTab(credits, tr("Credits"));
    auto* data = new QTextBrowser(this);
    data->setOpenExternalLinks(true);
    const QString cardPath = findDataCard();
    QFile card(cardPath);
    if (!cardPath.isEmpty() && card.open(QIODevice::ReadOnly))
        data->setMarkdown(QString::fromUtf8(card.readAll()));
    else
        data->setPlainText(tr("No model data card is installed. Models you load yourself come "
                              "with their own licences; check them before sharing results."));
    tabs->addTab(data, tr("Models and Data"));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(tabs, 1);
    layout->addWidget(buttons);
    resize(560, 480);
}

} // namespace ldm::ui
