// SPDX-License-Identifier: GPL-3.0-or-later
#include "i18n.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

// Q_INIT_RESOURCE must be called from the global namespace.
static void initUiResources()
{
    Q_INIT_RESOURCE(icons);
}

namespace ldm::ui {

void initResources()
{
    static const bool done = (initUiResources(), true);
    (void)done;
}

QList<QPair<QString, QString>> availableLanguages()
{
    return {{QStringLiteral("en"), QStringLiteral("English")},
            {QStringLiteral("vi"), QStringLiteral("Tiếng Việt")}};
}

QString installTranslators(QCoreApplication& app, const QString& language)
{
    QString code = language;
    if (code.isEmpty()) {
        code = QLocale::system().name().section(QLatin1Char('_'), 0, 0);
        bool shipped = false;
        for (const auto& [known, name] : availableLanguages())
            shipped = shipped || known == code;
        if (!shipped)
            code = QStringLiteral("en");
    }
    if (code == QLatin1String("en"))
        return code; // the source strings are English
    auto* ours = new QTranslator(&app);
    if (!ours->load(QStringLiteral(":/i18n/latent_canvas_%1.qm").arg(code))) {
        delete ours;
        return QStringLiteral("en");
    }
    app.installTranslator(ours);
    auto* qt = new QTranslator(&app);
    if (qt->load(QLocale(code), QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app.installTranslator(qt);
    else
        delete qt;
    return code;
}

} // namespace ldm::ui
