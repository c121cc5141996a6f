// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/ae_eval.h"

#include "train/image_crops.h"

#include <chrono>

namespace ldm::train {

std::vector<cv::Mat> reconstructCrops(const FirstStage& stage, const std::vector<cv::Mat>& crops,
                                      int64_t batchSize)
{
    c10::InferenceMode guard;
    std::vector<cv::Mat> out;
    for (size_t start = 0; start < crops.size(); start += size_t(batchSize)) {
        const size_t end = std::min(crops.size(), start + size_t(batchSize));
        const std::vector<cv::Mat> chunk(crops.begin() + long(start), crops.begin() + long(end));
        const auto x = cropsToTensor(chunk);
        const auto recon = stage.decodeLatent(stage.encodeLatent(x));
        for (auto& image : tensorToCrops(recon))
            out.push_back(std::move(image));
    }
    return out;
}

AeEvalReport evaluateOnCrops(const FirstStage& stage, const std::vector<cv::Mat>& crops)
{
    AeEvalReport report;
    const auto start = std::chrono::steady_clock::now();
    const auto recon = reconstructCrops(stage, crops);
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.autoencoder = measureQuality(crops, recon);
    std::vector<cv::Mat> bicubic, area;
    for (const auto& crop : crops) {
        bicubic.push_back(bicubicDownUp(crop, int(stage.downFactor())));
        area.push_back(areaDownBicubicUp(crop, int(stage.downFactor())));
    }
    report.bicubic = measureQuality(crops, bicubic);
    report.areaBicubic = measureQuality(crops, area);
    {
        c10::InferenceMode guard;
        std::vector<torch::Tensor> means;
        for (size_t i = 0; i < crops.size(); i += 16) {
            const std::vector<cv::Mat> chunk(crops.begin() + long(i),
                                             crops.begin() + long(std::min(crops.size(), i + 16)));
            means.push_back(stage.encodeLatent(cropsToTensor(chunk)));
        }
        if (!means.empty()) {
            const auto all = torch::cat(means).to(torch::kFloat64);
            report.latentMean = all.mean().item<double>();
            report.latentStd = all.std().item<double>();
        }
    }
    return report;
}

Result<AeEvalReport> evaluateAutoencoder(const FirstStage& stage, const AeEvalOptions& options)
{
    if (options.count < 1 || options.cropSize < stage.downFactor() ||
        options.cropSize % stage.downFactor() != 0)
        return makeError(ErrorCode::InvalidRequest, "crop size must be a positive multiple of " +
                                                        std::to_string(stage.downFactor()));
    std::vector<std::string> warnings;
    auto photos = loadHeldOutPhotos(options.photos, options.shortSide, &warnings);
    if (!photos)
        return photos.error();
    const auto crops = fixedCrops(*photos, options.count, options.cropSize);
    if (crops.empty())
        return makeError(ErrorCode::InvalidRequest, "the held-out photos are smaller than one " +
                                                        std::to_string(options.cropSize) +
                                                        " px crop");
    AeEvalReport report = evaluateOnCrops(stage, crops);
    report.photoCount = photos->size();
    report.warnings = std::move(warnings);
    return report;
}

} // namespace ldm::train
