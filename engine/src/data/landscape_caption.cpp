// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/landscape_caption.h"

#include "data/landscape_noise.h"

#include <algorithm>
#include <initializer_list>
#include <vector>

namespace ldm::data {
namespace {

struct Element
{
    std::string phrase;
    float share = 0.0f;
    int rank = 0;          // top of the frame first: mountains, water, shore, ground
    bool required = false; // large enough that leaving it out would mislabel the image
    bool mountain = false;
};

std::string pick(Rng& rng, std::initializer_list<const char*> options)
{
    const size_t i = static_cast<size_t>(rng.next() % options.size());
    return *(options.begin() + static_cast<std::ptrdiff_t>(i));
}

std::string joinList(const std::vector<std::string>& items)
{
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0)
            out += i + 1 == items.size() ? " and " : ", ";
        out += items[i];
    }
    return out;
}

float shareOf(const CaptionFacts& f, LandscapeClass c)
{
    return f.share[static_cast<size_t>(c)];
}

std::string forestPhrase(Rng& rng, const CaptionFacts& f)
{
    if (f.conifers)
        return f.season == Season::Winter
                   ? pick(rng,
                          {"snowy pine trees", "a snow-dusted pine forest", "dark evergreen woods"})
                   : pick(rng, {"a pine forest", "dark pine trees", "a conifer forest",
                                "evergreen woods"});
    switch (f.season) {
    case Season::Summer:
        return pick(rng, {"a forest", "a green forest", "woods", "leafy trees", "a line of trees"});
    case Season::Autumn:
        return pick(rng, {"an autumn forest", "colourful autumn trees", "a forest in fall colours",
                          "golden autumn woods"});
    case Season::Winter:
        break;
    }
    return pick(rng, {"bare winter trees", "leafless woods", "a bare forest"});
}

std::string grassPhrase(Rng& rng, const CaptionFacts& f)
{
    switch (f.season) {
    case Season::Summer:
        return pick(rng, {"a green meadow", "green grass", "grassy hills", "a lush green field",
                          "green pastures"});
    case Season::Autumn:
        return pick(rng, {"golden grass", "a dry meadow with autumn grass", "yellowing grass",
                          "an autumn meadow of grass"});
    case Season::Winter:
        break;
    }
    return pick(rng, {"brown winter grass", "a frosty grass meadow", "dry grass"});
}

std::string skyPhrase(Rng& rng, const CaptionFacts& f)
{
    const float sky = shareOf(f, LandscapeClass::Sky);
    const float cloud = shareOf(f, LandscapeClass::Cloud);
    const float cloudFrac = cloud / std::max(1e-6f, sky + cloud);
    std::string noun;
    std::string when;
    switch (f.time) {
    case TimeOfDay::Day:
        noun = pick(rng, {"blue sky", "sky", "bright blue sky"});
        when = cloudFrac < 0.1f
                   ? pick(rng, {"on a sunny day", "in bright daylight", "on a clear day"})
                   : pick(rng, {"on a summer afternoon", "in daylight", "in the daytime"});
        if (f.season != Season::Summer)
            when = pick(rng, {"on a sunny day", "in daylight"});
        break;
    case TimeOfDay::GoldenHour:
        noun = pick(rng, {"sunset sky", "golden sky", "orange evening sky"});
        when = pick(rng, {"at sunset", "at golden hour", "in warm evening light"});
        break;
    case TimeOfDay::Dusk:
        noun = pick(rng, {"dusk sky", "twilight sky", "darkening sky"});
        when = pick(rng, {"at dusk", "at twilight", "after sunset"});
        break;
    case TimeOfDay::Overcast:
        noun = pick(rng, {"grey sky", "overcast sky", "dull grey sky"});
        when = pick(rng, {"on an overcast day", "on a grey day", "on a dull cloudy day"});
        break;
    }
    const bool needSky = sky >= CaptionRequiredShare;
    const bool needCloud = cloud >= CaptionRequiredShare;
    if (!needSky && !needCloud)
        return f.time == TimeOfDay::Day && rng.chance(0.5f) ? std::string() : when;
    // Half the time keep the time of day out of the noun ("under a cloudy sky at sunset").
    const bool split =
        f.time != TimeOfDay::Day && f.time != TimeOfDay::Overcast && rng.chance(0.4f);
    if (split)
        noun = "sky";
    std::string out;
    if (cloudFrac < 0.06f) {
        out = pick(rng, {"under a clear ", "beneath a cloudless ", "with a clear "}) + noun;
    } else if (cloudFrac < 0.3f) {
        const int k = rng.range(0, 2);
        out = k == 0   ? "under a " + noun + " with a few clouds"
              : k == 1 ? "with scattered clouds in a " + noun
                       : "under a partly cloudy " + noun;
    } else if (cloudFrac < 0.75f || needSky) {
        const int k = rng.range(0, 2);
        out = k == 0   ? "under a cloudy " + noun
              : k == 1 ? "with clouds drifting across the " + noun
                       : "beneath big clouds in a " + noun;
    } else {
        out = pick(rng,
                   {"under thick clouds", "beneath heavy grey clouds", "under a blanket of cloud"});
    }
    if (split || (!needSky && f.time != TimeOfDay::Day && f.time != TimeOfDay::Overcast))
        out += " " + when;
    return out;
}

// "a orange sky" -> "an orange sky": phrases are glued from parts that cannot know their article.
std::string fixArticles(const std::string& text)
{
    std::string out;
    out.reserve(text.size() + 8);
    for (size_t i = 0; i < text.size(); ++i) {
        out += text[i];
        const bool wordA = text[i] == 'a' && (i == 0 || text[i - 1] == ' ') &&
                           i + 2 < text.size() && text[i + 1] == ' ';
        if (wordA && std::string("aeiou").find(text[i + 2]) != std::string::npos)
            out += 'n';
    }
    return out;
}

} // namespace

std::string makeLandscapeCaption(const CaptionFacts& f)
{
    Rng rng(f.seed);
    const float req = CaptionRequiredShare;
    std::vector<Element> els;
    // Mountains and water shape a scene even when small, so they are always named.
    auto add = [&](std::string phrase, float share, int rank, bool salient = false) {
        els.push_back(Element{std::move(phrase), share, rank, share >= req || salient, rank == 0});
    };

    const float mountainAll =
        shareOf(f, LandscapeClass::Mountain) + f.mountainSnow + f.mountainRock;
    if (mountainAll >= 0.02f) {
        const bool snowy = f.mountainSnow >= 0.2f * mountainAll || f.mountainSnow >= req;
        std::string p = snowy ? pick(rng, {"snowy mountains", "snow-capped mountains",
                                           "snow-capped peaks", "a snowy mountain range"})
                              : pick(rng, {"mountains", "a mountain range", "distant mountains",
                                           "rugged mountains", "hazy mountain ridges"});
        if (f.mountainRock >= 0.6f * req)
            p += pick(rng, {" with rocky cliffs", " with steep rock faces", " and rocky crags"});
        add(p, mountainAll, 0, mountainAll >= 0.03f);
    }
    const float water = shareOf(f, LandscapeClass::Water);
    if (water >= 0.02f) {
        add(f.sea ? pick(rng, {"the sea", "the ocean", "a calm sea", "the open sea"})
                  : (mountainAll >= 0.05f ? pick(rng, {"a mountain lake", "a calm lake", "a lake"})
                                          : pick(rng, {"a lake", "a still lake", "a quiet lake"})),
            water, 1, water >= 0.03f);
    }
    if (shareOf(f, LandscapeClass::Sand) >= 0.02f)
        add(f.dunes ? pick(rng, {"sand dunes", "a sandy beach", "sandy dunes"})
                    : pick(rng, {"a sandy beach", "a beach of golden sand", "a sandy shore"}),
            shareOf(f, LandscapeClass::Sand), 2);
    if (shareOf(f, LandscapeClass::Forest) >= 0.02f)
        add(forestPhrase(rng, f), shareOf(f, LandscapeClass::Forest), 2);
    if (shareOf(f, LandscapeClass::Grass) >= 0.02f)
        add(grassPhrase(rng, f), shareOf(f, LandscapeClass::Grass), 3);
    const float groundSnow = shareOf(f, LandscapeClass::Snow) - f.mountainSnow;
    if (groundSnow >= 0.02f)
        add(pick(rng, {"snow-covered ground", "a snowy field", "fresh snow", "snowy hills",
                       "a blanket of snow"}),
            groundSnow, 3);
    const float dirt = shareOf(f, LandscapeClass::Dirt);
    if (dirt >= 0.015f)
        add(f.pathDirt >= 0.5f * dirt
                ? pick(rng, {"a dirt path", "a winding dirt track", "a dirt road"})
                : pick(rng, {"a plowed field of dirt", "bare brown earth", "a dirt field",
                             "brown soil"}),
            dirt, 4);
    const float groundRock = shareOf(f, LandscapeClass::Rock) - f.mountainRock;
    if (groundRock >= 0.015f)
        add(pick(rng, {"rocks", "rocky outcrops", "large boulders", "a rocky slope"}), groundRock,
            4);

    // Keep every required element; small ones join by chance, up to five in all.
    std::vector<Element> kept;
    for (const Element& e : els)
        if (e.required || (kept.size() < 5 && rng.chance(0.6f)))
            kept.push_back(e);
    std::stable_sort(kept.begin(), kept.end(),
                     [](const Element& a, const Element& b) { return a.rank < b.rank; });

    std::string body;
    const float form = rng.uniform();
    if (kept.empty()) {
        body = pick(rng, {"an open landscape", "a wide view", "a landscape"});
    } else if (kept.size() >= 2 && kept[0].mountain && form < 0.4f) {
        std::vector<std::string> rest;
        for (size_t i = 2; i < kept.size(); ++i)
            rest.push_back(kept[i].phrase);
        body =
            kept[0].phrase + pick(rng, {" above ", " behind ", " rising over "}) + kept[1].phrase;
        if (!rest.empty())
            body += pick(rng, {" with ", " and "}) + joinList(rest);
    } else if (kept.size() >= 2 && kept[0].mountain && form < 0.6f) {
        std::vector<std::string> rest;
        for (size_t i = 1; i < kept.size(); ++i)
            rest.push_back(kept[i].phrase);
        const bool far = kept[0].phrase.find("distant") != std::string::npos;
        body = joinList(rest) + pick(rng, {" with ", " below ", " beneath "}) + kept[0].phrase +
               (!far && rng.chance(0.5f) ? " in the distance" : "");
    } else {
        std::vector<std::string> all;
        for (const Element& e : kept)
            all.push_back(e.phrase);
        body = joinList(all);
    }
    if (rng.chance(0.25f))
        body = pick(rng, {"a photo of ", "a landscape with ", "a view of ", "a scenic view of "}) +
               body;

    const std::string sky = skyPhrase(rng, f);
    if (!sky.empty())
        body += " " + sky;
    if (f.season == Season::Autumn && rng.chance(0.4f))
        body += " in autumn";
    else if (f.season == Season::Winter && rng.chance(0.4f))
        body += " in winter";
    return fixArticles(body);
}

} // namespace ldm::data
