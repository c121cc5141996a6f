// SPDX-License-Identifier: GPL-3.0-or-later
#include "i18n.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

class TestTranslations final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void vietnameseIsEmbeddedAndLoads()
    {
        QVERIFY(QFile::exists(QStringLiteral(":/i18n/latent_canvas_vi.qm")));
        QCOMPARE(ldm::ui::installTranslators(*QCoreApplication::instance(), QStringLiteral("vi")),
                 QStringLiteral("vi"));
        QCOMPARE(QCoreApplication::translate("ldm::ui::MainWindow", "Gallery"),
                 QStringLiteral("Thư viện ảnh"));
        QCOMPARE(QCoreApplication::translate("ldm::ui::MainWindow", "No engine available."),
                 QStringLiteral("Chưa có bộ máy tạo ảnh."));
        // Strings from free functions in the bridge translate too (their context must match).
        QVERIFY(QCoreApplication::translate("ldm::bridge::GalleryArchive",
                                            "There is nothing to export.") !=
                QStringLiteral("There is nothing to export."));
        QCOMPARE(QCoreApplication::translate("ldm::ui::ClassNames", "sky"),
                 QStringLiteral("bầu trời"));
        // Plural forms.
        QCOMPARE(QCoreApplication::translate("ldm::ui::GalleryView", "%n picture(s)", nullptr, 3),
                 QStringLiteral("3 ảnh"));
    }

    void everyStringIsTranslated()
    {
        const QString source = qEnvironmentVariable("LDM_SOURCE_DIR");
        if (source.isEmpty())
            QSKIP("LDM_SOURCE_DIR not set");
        QFile ts(source + QStringLiteral("/translations/latent_canvas_vi.ts"));
        QVERIFY(ts.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(ts.readAll());
        const int messages = static_cast<int>(text.count(QStringLiteral("<message")));
        QVERIFY(messages > 200);
        QCOMPARE(text.count(QStringLiteral("type=\"unfinished\"")), 0);
        QCOMPARE(text.count(QStringLiteral("<translation></translation>")), 0);
    }

    void englishNeedsNoTranslator()
    {
        QCOMPARE(ldm::ui::installTranslators(*QCoreApplication::instance(), QStringLiteral("en")),
                 QStringLiteral("en"));
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
