// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

namespace ldm::ui {

/// Version, licence and credits, including the data licences of the shipped models (read
/// from DATA_CARD.md when one is installed).
class AboutDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AboutDialog)

public:
    explicit AboutDialog(QWidget* parent = nullptr);

    /// DATA_CARD.md next to the installed models, or in the source tree; "" when absent.
    static QString findDataCard();
};

} // namespace ldm::ui
