<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN">
<context>
    <name>ldm::bridge::ClassPalette</name>
    <message>
        <source>%1 is too large to be a palette.</source>
        <translation>%1 quá lớn để là một bảng màu.</translation>
    </message>
    <message>
        <source>The palette is not valid JSON: %1</source>
        <translation>Bảng lớp không phải JSON hợp lệ: %1</translation>
    </message>
    <message>
        <source>The palette has a missing, duplicate or out-of-range class id.</source>
        <translation>Bảng lớp có mã lớp bị thiếu, trùng hoặc nằm ngoài phạm vi.</translation>
    </message>
    <message>
        <source>Class &apos;%1&apos; has an invalid or repeated colour.</source>
        <translation>Lớp &apos;%1&apos; có màu không hợp lệ hoặc bị trùng.</translation>
    </message>
    <message>
        <source>The palette has no classes.</source>
        <translation>Bảng lớp không có lớp nào.</translation>
    </message>
    <message>
        <source>Cannot read the palette %1: %2</source>
        <translation>Không đọc được bảng lớp %1: %2</translation>
    </message>
</context>
<context>
    <name>ldm::bridge::EngineController</name>
    <message>
        <source>No engine available.</source>
        <translation>Chưa có bộ máy tạo ảnh.</translation>
    </message>
</context>
<context>
    <name>ldm::bridge::EngineWorker</name>
    <message>
        <source>The engine could not start: %1</source>
        <translation>Không khởi động được bộ máy tạo ảnh: %1</translation>
    </message>
    <message>
        <source>The engine could not start (unknown error).</source>
        <translation>Không khởi động được bộ máy tạo ảnh (lỗi không xác định).</translation>
    </message>
    <message>
        <source>No engine available.</source>
        <translation>Chưa có bộ máy tạo ảnh.</translation>
    </message>
    <message>
        <source>Out of memory. Try a smaller image, fewer steps or bf16 precision.</source>
        <translation>Hết bộ nhớ. Hãy thử ảnh nhỏ hơn, ít bước hơn hoặc độ chính xác bf16.</translation>
    </message>
    <message>
        <source>The engine failed: %1</source>
        <translation>Bộ máy tạo ảnh gặp lỗi: %1</translation>
    </message>
    <message>
        <source>The engine failed with an unknown error.</source>
        <translation>Bộ máy tạo ảnh gặp lỗi không xác định.</translation>
    </message>
    <message>
        <source>Out of memory.</source>
        <translation>Hết bộ nhớ.</translation>
    </message>
    <message>
        <source>Unknown error.</source>
        <translation>Lỗi không xác định.</translation>
    </message>
</context>
<context>
    <name>ldm::bridge::GalleryArchive</name>
    <message>
        <source>The archive&apos;s directory is damaged.</source>
        <translation>Danh mục của tệp nén bị hỏng.</translation>
    </message>
    <message>
        <source>The archive lists the entry %1 twice.</source>
        <translation>Tệp nén liệt kê mục %1 hai lần.</translation>
    </message>
    <message>
        <source>The gallery.json names the entry %1 more than once.</source>
        <translation>Tệp gallery.json nêu mục %1 nhiều hơn một lần.</translation>
    </message>
    <message>
        <source>The archive&apos;s pictures add up to %1 MB unpacked; an import reads at most %2 MB. Export it in smaller parts.</source>
        <translation>Các ảnh trong tệp nén khi giải nén tổng cộng %1 MB; mỗi lần nhập chỉ đọc tối đa %2 MB. Hãy xuất thành nhiều phần nhỏ hơn.</translation>
    </message>
    <message>
        <source>The map %1 is not a readable image.</source>
        <translation>Bản đồ %1 không phải ảnh đọc được.</translation>
    </message>
    <message>
        <source>The map %1 is not a label map (8-bit class ids, at most %2 pixels a side).</source>
        <translation>Bản đồ %1 không phải bản đồ nhãn (mã lớp 8 bit, mỗi cạnh tối đa %2 điểm ảnh).</translation>
    </message>
    <message>
        <source>The gallery.json in %1 is %2 MB; a gallery manifest is at most %3 MB.</source>
        <translation>Tệp gallery.json trong %1 nặng %2 MB; danh mục thư viện tối đa %3 MB.</translation>
    </message>
    <message>
        <source>The entry %1 is not a readable image.</source>
        <translation>Mục %1 không phải ảnh đọc được.</translation>
    </message>
    <message>
        <source>Not enough free disk space for the import: it needs %1 MB, %2 MB are free.</source>
        <translation>Không đủ dung lượng đĩa trống để nhập: cần %1 MB, chỉ còn %2 MB.</translation>
    </message>
    <message>
        <source>The archive has no entry %1.</source>
        <translation>Tệp nén không có mục %1.</translation>
    </message>
    <message>
        <source>The archive entry %1 is too large or damaged.</source>
        <translation>Mục %1 trong tệp nén quá lớn hoặc bị hỏng.</translation>
    </message>
    <message>
        <source>Cannot open the archive entry %1.</source>
        <translation>Không mở được mục %1 trong tệp nén.</translation>
    </message>
    <message>
        <source>The archive entry %1 is damaged.</source>
        <translation>Mục %1 trong tệp nén bị hỏng.</translation>
    </message>
    <message>
        <source>The archive entry %1 does not match its recorded hash.</source>
        <translation>Mục %1 trong tệp nén không khớp với mã băm đã ghi.</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Không đọc được %1: %2</translation>
    </message>
    <message>
        <source>There is nothing to export.</source>
        <translation>Không có gì để xuất.</translation>
    </message>
    <message>
        <source>Cannot write to %1: %2</source>
        <translation>Không ghi được vào %1: %2</translation>
    </message>
    <message>
        <source>Cannot create the archive %1.</source>
        <translation>Không tạo được tệp nén %1.</translation>
    </message>
    <message>
        <source>Cannot write the archive %1.</source>
        <translation>Không ghi được tệp nén %1.</translation>
    </message>
    <message>
        <source>%1 is not a zip archive or cannot be read.</source>
        <translation>%1 không phải tệp zip hoặc không đọc được.</translation>
    </message>
    <message>
        <source>%1 is not a Latent Canvas gallery archive (no gallery.json).</source>
        <translation>%1 không phải tệp nén thư viện của Latent Canvas (thiếu gallery.json).</translation>
    </message>
    <message>
        <source>The gallery.json in %1 is damaged: %2</source>
        <translation>Tệp gallery.json trong %1 bị hỏng: %2</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Đã huỷ.</translation>
    </message>
</context>
<context>
    <name>ldm::bridge::GalleryStore</name>
    <message>
        <source>Cannot read the gallery index: %1</source>
        <translation>Không đọc được mục lục thư viện: %1</translation>
    </message>
    <message>
        <source>The gallery index %1 is damaged (%2). It was left untouched.</source>
        <translation>Mục lục thư viện %1 bị hỏng (%2). Tệp được giữ nguyên.</translation>
    </message>
    <message>
        <source>The gallery index could not be read, so nothing is saved into it until it is repaired or removed.</source>
        <translation>Không đọc được mục lục thư viện, nên sẽ không lưu gì thêm vào đó cho đến khi nó được sửa hoặc xoá.</translation>
    </message>
    <message>
        <source>Cannot create the gallery folder %1.</source>
        <translation>Không tạo được thư mục thư viện %1.</translation>
    </message>
    <message>
        <source>There is no picture to save.</source>
        <translation>Không có ảnh nào để lưu.</translation>
    </message>
</context>
<context>
    <name>ldm::bridge::ImageEngine</name>
    <message>
        <source>This engine cannot load models.</source>
        <translation>Bộ máy này không nạp được mô hình.</translation>
    </message>
</context>
<context>
    <name>ldm::bridge::ImageIo</name>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Không đọc được %1: %2</translation>
    </message>
    <message>
        <source>%1 is not an image this program can read (%2).</source>
        <translation>%1 không phải ảnh mà chương trình đọc được (%2).</translation>
    </message>
    <message>
        <source>%1 is too large (%2 × %3 pixels); the limit is %4 megapixels.</source>
        <translation>%1 quá lớn (%2 × %3 điểm ảnh); giới hạn là %4 megapixel.</translation>
    </message>
    <message>
        <source>%1 could not be decoded: %2</source>
        <translation>Không giải mã được %1: %2</translation>
    </message>
    <message>
        <source>The image</source>
        <translation>Ảnh</translation>
    </message>
    <message>
        <source>%1 is not an image this program can read.</source>
        <translation>%1 không phải ảnh mà chương trình đọc được.</translation>
    </message>
    <message>
        <source>%1 carries no generation settings.</source>
        <translation>%1 không chứa thông số tạo ảnh.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Không ghi được %1: %2</translation>
    </message>
</context>
<context>
    <name>ldm::bridge::LabelMap</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Không ghi được %1: %2</translation>
    </message>
    <message>
        <source>A label map must be between %1 and %2 pixels on each side and a multiple of %1; this one is %3 × %4.</source>
        <translation>Mỗi cạnh của bản đồ nhãn phải từ %1 đến %2 điểm ảnh và là bội số của %1; bản đồ này có kích thước %3 × %4.</translation>
    </message>
</context>
<context>
    <name>ldm::bridge::LdmImageEngine</name>
    <message>
        <source>No model was chosen.</source>
        <translation>Chưa chọn mô hình nào.</translation>
    </message>
    <message>
        <source>No model for this task is installed. Open a checkpoint (File ▸ Open Checkpoint…) or install the shipped models.</source>
        <translation>Chưa cài mô hình nào cho việc này. Hãy mở một tệp mô hình (Tệp ▸ Mở tệp mô hình…) hoặc cài các mô hình đi kèm.</translation>
    </message>
    <message>
        <source>The label map is missing or is not an indexed image.</source>
        <translation>Thiếu bản đồ nhãn, hoặc bản đồ không phải ảnh chỉ mục màu.</translation>
    </message>
    <message>
        <source>There is no picture to upscale.</source>
        <translation>Không có ảnh nào để phóng to.</translation>
    </message>
    <message>
        <source>Out of memory. Try a smaller image, fewer steps or bf16 precision.</source>
        <translation>Hết bộ nhớ. Hãy thử ảnh nhỏ hơn, ít bước hơn hoặc độ chính xác bf16.</translation>
    </message>
    <message>
        <source>This picture cannot be made: %1</source>
        <translation>Không thể tạo ảnh này: %1</translation>
    </message>
    <message>
        <source>The device is unavailable: %1</source>
        <translation>Thiết bị không dùng được: %1</translation>
    </message>
    <message>
        <source>The engine failed: %1</source>
        <translation>Bộ máy tạo ảnh gặp lỗi: %1</translation>
    </message>
    <message>
        <source>Cannot load the model “%1”: %2</source>
        <translation>Không nạp được mô hình “%1”: %2</translation>
    </message>
    <message>
        <source>The engine returned an empty picture.</source>
        <translation>Bộ máy tạo ảnh trả về một ảnh rỗng.</translation>
    </message>
    <message>
        <source>CUDA device %1</source>
        <translation>Thiết bị CUDA %1</translation>
    </message>
    <message>
        <source>CPU (threads: %1)</source>
        <translation>CPU (số luồng: %1)</translation>
    </message>
    <message>
        <source>The prompt was longer than this model reads; its end was left out.</source>
        <translation>Câu mô tả dài hơn mức mô hình này đọc được; phần cuối đã bị bỏ qua.</translation>
    </message>
    <message>
        <source>There is no picture to edit.</source>
        <translation>Chưa có ảnh nào để sửa.</translation>
    </message>
    <message>
        <source>There is no mask: paint the area to fill first.</source>
        <translation>Chưa có mặt nạ: hãy tô vùng cần vẽ lại trước.</translation>
    </message>
    <message>
        <source>The ControlNet has no control map to follow.</source>
        <translation>ControlNet không có bản đồ điều khiển để theo.</translation>
    </message>
</context>
<context>
    <name>ldm::ui::AboutDialog</name>
    <message>
        <source>About Latent Canvas</source>
        <translation>Giới thiệu Latent Canvas</translation>
    </message>
    <message>
        <source>&lt;h2&gt;Latent Canvas %1&lt;/h2&gt;&lt;p&gt;Paint, prompt and upscale with latent diffusion models, entirely on your own computer.&lt;/p&gt;&lt;p&gt;Licensed under the GNU General Public License, version 3 or later.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;Latent Canvas %1&lt;/h2&gt;&lt;p&gt;Vẽ, tạo ảnh từ mô tả và phóng to ảnh bằng mô hình khuếch tán tiềm ẩn, hoàn toàn trên máy tính của bạn.&lt;/p&gt;&lt;p&gt;Phát hành theo Giấy phép Công cộng GNU (GPL), phiên bản 3 trở lên.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>**Method**: *High-Resolution Image Synthesis with Latent Diffusion Models*, Rombach, Blattmann, Lorenz, Esser and Ommer, CVPR 2022; reference code by CompVis (MIT licence).

**Libraries**: Qt 6 (LGPL 3), LibTorch (BSD 3-clause), QuaZip (LGPL 2.1), nlohmann/json (MIT), OpenCV (Apache 2.0), yaml-cpp (MIT), SentencePiece (Apache 2.0).</source>
        <translation>**Phương pháp**: *High-Resolution Image Synthesis with Latent Diffusion Models*, Rombach, Blattmann, Lorenz, Esser và Ommer, CVPR 2022; mã tham chiếu của CompVis (giấy phép MIT).

**Thư viện**: Qt 6 (LGPL 3), LibTorch (BSD 3 điều khoản), QuaZip (LGPL 2.1), nlohmann/json (MIT), OpenCV (Apache 2.0), yaml-cpp (MIT), SentencePiece (Apache 2.0).</translation>
    </message>
    <message>
        <source>Credits</source>
        <translation>Ghi công</translation>
    </message>
    <message>
        <source>No model data card is installed. Models you load yourself come with their own licences; check them before sharing results.</source>
        <translation>Chưa cài thẻ dữ liệu mô hình. Mô hình bạn tự nạp có giấy phép riêng; hãy kiểm tra trước khi chia sẻ kết quả.</translation>
    </message>
    <message>
        <source>Models and Data</source>
        <translation>Mô hình và dữ liệu</translation>
    </message>
</context>
<context>
    <name>ldm::ui::BackgroundTask</name>
    <message>
        <source>Cancel</source>
        <translation>Huỷ</translation>
    </message>
</context>
<context>
    <name>ldm::ui::CanvasTools</name>
    <message>
        <source>Erase</source>
        <translation>Tẩy</translation>
    </message>
    <message>
        <source>Brush stroke</source>
        <translation>Nét cọ</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Đường thẳng</translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation>Hình chữ nhật</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>Đổ màu</translation>
    </message>
</context>
<context>
    <name>ldm::ui::ClassNames</name>
    <message>
        <source>sky</source>
        <translation>bầu trời</translation>
    </message>
    <message>
        <source>cloud</source>
        <translation>mây</translation>
    </message>
    <message>
        <source>mountain</source>
        <translation>núi</translation>
    </message>
    <message>
        <source>snow</source>
        <translation>tuyết</translation>
    </message>
    <message>
        <source>rock</source>
        <translation>đá</translation>
    </message>
    <message>
        <source>water</source>
        <translation>nước</translation>
    </message>
    <message>
        <source>sand</source>
        <translation>cát</translation>
    </message>
    <message>
        <source>grass</source>
        <translation>cỏ</translation>
    </message>
    <message>
        <source>forest</source>
        <translation>rừng</translation>
    </message>
    <message>
        <source>dirt</source>
        <translation>đất</translation>
    </message>
</context>
<context>
    <name>ldm::ui::CompareView</name>
    <message>
        <source>Open or drop an image to upscale it.</source>
        <translation>Mở hoặc thả một ảnh vào đây để phóng to.</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Trước</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Sau</translation>
    </message>
</context>
<context>
    <name>ldm::ui::ControlNetBox</name>
    <message>
        <source>ControlNet</source>
        <translation>ControlNet</translation>
    </message>
    <message>
        <source>Guess mode</source>
        <translation>Chế độ đoán</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Chọn…</translation>
    </message>
    <message>
        <source>A ControlNet for this model&apos;s family, in lllyasviel&apos;s layout: control_*.pth or .safetensors (e.g. control_v11p_sd15_seg).</source>
        <translation>Một ControlNet cho dòng mô hình này, theo bố cục của lllyasviel: control_*.pth hoặc .safetensors (ví dụ control_v11p_sd15_seg).</translation>
    </message>
    <message>
        <source>Segmentation map (ADE20K colours)</source>
        <translation>Bản đồ phân vùng (màu ADE20K)</translation>
    </message>
    <message>
        <source>Scribble (strokes)</source>
        <translation>Phác thảo (nét vẽ)</translation>
    </message>
    <message>
        <source>What the ControlNet was trained to read: the map is painted in ADE20K&apos;s class colours, or as black strokes on white.</source>
        <translation>Thứ ControlNet được huấn luyện để đọc: bản đồ tô bằng màu lớp của ADE20K, hoặc nét đen trên nền trắng.</translation>
    </message>
    <message>
        <source>How strongly the ControlNet steers (A1111 “Control Weight”).</source>
        <translation>ControlNet điều khiển mạnh đến đâu (A1111 “Control Weight”).</translation>
    </message>
    <message>
        <source>Fraction of the steps where the ControlNet starts acting.</source>
        <translation>Phần số bước mà từ đó ControlNet bắt đầu tác động.</translation>
    </message>
    <message>
        <source>Fraction of the steps after which it stops.</source>
        <translation>Phần số bước mà sau đó nó ngừng tác động.</translation>
    </message>
    <message>
        <source>Follow the map even without a prompt: soft per-level scales and no control on the negative half of guidance (A1111 “ControlNet is more important”).</source>
        <translation>Theo bản đồ cả khi không có câu mô tả: hệ số mềm theo từng tầng và không điều khiển nửa âm của hướng dẫn (A1111 “ControlNet is more important”).</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Tệp</translation>
    </message>
    <message>
        <source>Reads</source>
        <translation>Đọc</translation>
    </message>
    <message>
        <source>Strength</source>
        <translation>Cường độ</translation>
    </message>
    <message>
        <source>Start / end</source>
        <translation>Bắt đầu / kết thúc</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Không có</translation>
    </message>
    <message>
        <source>Choose ControlNet</source>
        <translation>Chọn ControlNet</translation>
    </message>
    <message>
        <source>ControlNet files (*.safetensors *.pth *.ckpt *.pt);;All files (*)</source>
        <translation>Tệp ControlNet (*.safetensors *.pth *.ckpt *.pt);;Mọi tệp (*)</translation>
    </message>
</context>
<context>
    <name>ldm::ui::EditPanel</name>
    <message>
        <source>PNG images (*.png)</source>
        <translation>Ảnh PNG (*.png)</translation>
    </message>
    <message>
        <source>mask.png</source>
        <translation>mat-na.png</translation>
    </message>
    <message>
        <source>Save Mask</source>
        <translation>Lưu mặt nạ</translation>
    </message>
    <message>
        <source>Load Mask</source>
        <translation>Tải mặt nạ</translation>
    </message>
    <message>
        <source>Saved mask %1</source>
        <translation>Đã lưu mặt nạ %1</translation>
    </message>
    <message>
        <source>Cannot Save Mask</source>
        <translation>Không thể lưu mặt nạ</translation>
    </message>
    <message>
        <source>Loaded mask %1</source>
        <translation>Đã tải mặt nạ %1</translation>
    </message>
    <message>
        <source>Mask %1 scaled from %2 × %3 to the picture&apos;s %4 × %5 px</source>
        <translation>Mặt nạ %1 được co giãn từ %2 × %3 thành %4 × %5 px của ảnh</translation>
    </message>
    <message>
        <source>Load mask</source>
        <translation>Tải mặt nạ</translation>
    </message>
    <message>
        <source>Open a picture first: a mask belongs to a picture.</source>
        <translation>Hãy mở một ảnh trước: mặt nạ thuộc về một ảnh.</translation>
    </message>
    <message>
        <source>Cannot Load Mask</source>
        <translation>Không thể tải mặt nạ</translation>
    </message>
    <message>
        <source>Open Picture to Edit…</source>
        <translation>Mở ảnh để sửa…</translation>
    </message>
    <message>
        <source>Open a picture or drop one here, or choose “Edit” on a result or in the gallery. Then paint the area to change.</source>
        <translation>Mở một ảnh hoặc thả ảnh vào đây, hoặc chọn “Sửa” trên một kết quả hay trong thư viện ảnh. Rồi tô vùng cần thay đổi.</translation>
    </message>
    <message>
        <source>The edited picture appears here.</source>
        <translation>Ảnh đã sửa hiện ở đây.</translation>
    </message>
    <message>
        <source>Inpaint</source>
        <translation>Vẽ lại vùng</translation>
    </message>
    <message>
        <source>Outpaint</source>
        <translation>Mở rộng ảnh</translation>
    </message>
    <message>
        <source>Image to Image</source>
        <translation>Ảnh sang ảnh</translation>
    </message>
    <message>
        <source>Redraw the masked area; the rest stays exactly as it is</source>
        <translation>Vẽ lại vùng được tô; phần còn lại giữ nguyên</translation>
    </message>
    <message>
        <source>Grow the canvas and fill the new area</source>
        <translation>Nới rộng khung ảnh và vẽ phần mới</translation>
    </message>
    <message>
        <source>Redraw the whole picture; strength says how much</source>
        <translation>Vẽ lại cả bức ảnh; độ mạnh cho biết thay đổi bao nhiêu</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>Chế độ</translation>
    </message>
    <message>
        <source>0 keeps the picture as it is, 1 redraws it from noise</source>
        <translation>0 giữ nguyên ảnh, 1 vẽ lại từ nhiễu</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>Grows the mask by this many pixels with a soft edge, so new content blends into what is kept</source>
        <translation>Nới mặt nạ thêm chừng này điểm ảnh với mép mềm, để phần mới hoà vào phần được giữ</translation>
    </message>
    <message>
        <source>Strength</source>
        <translation>Độ mạnh</translation>
    </message>
    <message>
        <source>Mask feather</source>
        <translation>Làm mềm mép mặt nạ</translation>
    </message>
    <message>
        <source>How far the canvas grows on each chosen side</source>
        <translation>Khung ảnh nới rộng bao nhiêu ở mỗi cạnh đã chọn</translation>
    </message>
    <message>
        <source>Grow by</source>
        <translation>Nới thêm</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>Trái</translation>
    </message>
    <message>
        <source>Top</source>
        <translation>Trên</translation>
    </message>
    <message>
        <source>Right</source>
        <translation>Phải</translation>
    </message>
    <message>
        <source>Bottom</source>
        <translation>Dưới</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Mô hình</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>Lấy mẫu</translation>
    </message>
    <message>
        <source>Cannot Edit Picture</source>
        <translation>Không sửa được ảnh</translation>
    </message>
    <message>
        <source>The picture is smaller than %1 pixels.</source>
        <translation>Ảnh nhỏ hơn %1 điểm ảnh.</translation>
    </message>
    <message>
        <source>Picture Too Large</source>
        <translation>Ảnh quá lớn</translation>
    </message>
    <message>
        <source>The picture is %1 × %2 pixels; pictures up to %3 pixels per side can be edited. Shrink or crop it first.</source>
        <translation>Ảnh có kích thước %1 × %2 điểm ảnh; chỉ sửa được ảnh có mỗi cạnh tối đa %3 điểm ảnh. Hãy thu nhỏ hoặc cắt ảnh trước.</translation>
    </message>
    <message>
        <source>Cut to %1 × %2 px: the model works in blocks of %3 pixels.</source>
        <translation>Đã cắt còn %1 × %2 px: mô hình làm việc theo khối %3 điểm ảnh.</translation>
    </message>
    <message>
        <source>Cannot Open Image</source>
        <translation>Không mở được ảnh</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>Đã mở %1</translation>
    </message>
    <message>
        <source>Open Picture to Edit</source>
        <translation>Mở ảnh để sửa</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.webp *.bmp);;All files (*)</source>
        <translation>Ảnh (*.png *.jpg *.jpeg *.webp *.bmp);;Mọi tệp (*)</translation>
    </message>
    <message>
        <source>result, seed %1</source>
        <translation>kết quả, hạt giống %1</translation>
    </message>
    <message>
        <source>restored input</source>
        <translation>ảnh gốc đã khôi phục</translation>
    </message>
    <message>
        <source>Open or drop a picture to edit first.</source>
        <translation>Hãy mở hoặc thả một ảnh để sửa trước.</translation>
    </message>
    <message>
        <source>This model needs sides in multiples of %1 pixels; open the picture again to cut it to that grid.</source>
        <translation>Mô hình này cần các cạnh là bội số của %1 điểm ảnh; hãy mở lại ảnh để cắt theo lưới đó.</translation>
    </message>
    <message>
        <source>The canvas would be %1 × %2 pixels; the largest side is %3.</source>
        <translation>Khung ảnh sẽ là %1 × %2 điểm ảnh; cạnh lớn nhất cho phép là %3.</translation>
    </message>
    <message>
        <source>Choose at least one side to grow.</source>
        <translation>Hãy chọn ít nhất một cạnh để nới rộng.</translation>
    </message>
    <message>
        <source>Paint the area to change first (the mask is empty).</source>
        <translation>Hãy tô vùng cần thay đổi trước (mặt nạ đang trống).</translation>
    </message>
    <message>
        <source>No picture</source>
        <translation>Chưa có ảnh</translation>
    </message>
    <message>
        <source>%1 · %2 × %3 px</source>
        <translation>%1 · %2 × %3 px</translation>
    </message>
    <message>
        <source> (grown from %1 × %2)</source>
        <translation> (nới từ %1 × %2)</translation>
    </message>
</context>
<context>
    <name>ldm::ui::EngineStatus</name>
    <message>
        <source>Device: %1</source>
        <translation>Thiết bị: %1</translation>
    </message>
    <message>
        <source>No engine</source>
        <translation>Chưa có bộ máy</translation>
    </message>
    <message>
        <source>estimating</source>
        <translation>đang ước tính</translation>
    </message>
    <message>
        <source>Step %1/%2 · %3 elapsed · ETA %4</source>
        <translation>Bước %1/%2 · đã chạy %3 · còn khoảng %4</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Đang bắt đầu…</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>Đang nạp mô hình…</translation>
    </message>
    <message>
        <source>Encoding</source>
        <translation>Đang mã hoá</translation>
    </message>
    <message>
        <source>Decoding</source>
        <translation>Đang giải mã</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>Đang lấy mẫu</translation>
    </message>
    <message>
        <source>Tile %1 of %2</source>
        <translation>Ô %1 trên %2</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>Đang nạp %1…</translation>
    </message>
</context>
<context>
    <name>ldm::ui::GalleryListView</name>
    <message>
        <source>No pictures yet.
Everything you generate is kept here with the settings that made it. Import a gallery zip to bring pictures from another computer.</source>
        <translation>Chưa có ảnh nào.
Mọi ảnh bạn tạo được lưu ở đây cùng với thông số đã tạo ra nó. Nhập tệp zip thư viện để mang ảnh từ máy khác sang.</translation>
    </message>
</context>
<context>
    <name>ldm::ui::GalleryModel</name>
    <message>
        <source>%1
Seed %2 · %3 × %4 · %5</source>
        <translation>%1
Hạt giống %2 · %3 × %4 · %5</translation>
    </message>
    <message>
        <source>Painted map · seed %1</source>
        <translation>Vẽ từ bản đồ · hạt giống %1</translation>
    </message>
    <message>
        <source>Upscaled · seed %1</source>
        <translation>Ảnh phóng to · hạt giống %1</translation>
    </message>
    <message>
        <source>Edited picture · seed %1</source>
        <translation>Ảnh đã sửa · hạt giống %1</translation>
    </message>
</context>
<context>
    <name>ldm::ui::GalleryView</name>
    <message>
        <source>Import cancelled.</source>
        <translation>Đã huỷ việc nhập.</translation>
    </message>
    <message>
        <source>Import Zip…</source>
        <translation>Nhập zip…</translation>
    </message>
    <message>
        <source>Export Selected…</source>
        <translation>Xuất ảnh đã chọn…</translation>
    </message>
    <message>
        <source>Export All…</source>
        <translation>Xuất tất cả…</translation>
    </message>
    <message>
        <source>Restore Settings</source>
        <translation>Khôi phục thông số</translation>
    </message>
    <message>
        <source>Copy Image</source>
        <translation>Chép ảnh</translation>
    </message>
    <message>
        <source>Copy Parameters</source>
        <translation>Chép thông số</translation>
    </message>
    <message>
        <source>Save As…</source>
        <translation>Lưu thành…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Xoá</translation>
    </message>
    <message numerus="yes">
        <source>%n picture(s)</source>
        <translation>
            <numerusform>%n ảnh</numerusform>
        </translation>
    </message>
    <message>
        <source>Select a picture to see how it was made.</source>
        <translation>Chọn một ảnh để xem nó được tạo ra thế nào.</translation>
    </message>
    <message numerus="yes">
        <source>%n pictures selected</source>
        <translation>
            <numerusform>Đã chọn %n ảnh</numerusform>
        </translation>
    </message>
    <message>
        <source>Save Picture</source>
        <translation>Lưu ảnh</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>Ảnh PNG (*.png)</translation>
    </message>
    <message>
        <source>Cannot Save Picture</source>
        <translation>Không lưu được ảnh</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>Đã lưu %1</translation>
    </message>
    <message>
        <source>Delete Pictures</source>
        <translation>Xoá ảnh</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n picture(s) and their maps from the gallery? This cannot be undone.</source>
        <translation>
            <numerusform>Xoá %n ảnh cùng bản đồ của chúng khỏi thư viện? Không thể hoàn tác.</numerusform>
        </translation>
    </message>
    <message>
        <source>Cannot Delete</source>
        <translation>Không xoá được</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Xuất</translation>
    </message>
    <message>
        <source>Select the pictures to export first.</source>
        <translation>Hãy chọn ảnh cần xuất trước.</translation>
    </message>
    <message>
        <source>The gallery is empty.</source>
        <translation>Thư viện đang trống.</translation>
    </message>
    <message>
        <source>Export Gallery</source>
        <translation>Xuất thư viện</translation>
    </message>
    <message>
        <source>Zip archive (*.zip)</source>
        <translation>Tệp nén zip (*.zip)</translation>
    </message>
    <message>
        <source>Export Failed</source>
        <translation>Xuất thất bại</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>Đã xuất ra %1</translation>
    </message>
    <message>
        <source>Import Gallery</source>
        <translation>Nhập thư viện</translation>
    </message>
    <message>
        <source>Import Failed</source>
        <translation>Nhập thất bại</translation>
    </message>
    <message numerus="yes">
        <source>Imported %n picture(s)</source>
        <translation>
            <numerusform>Đã nhập %n ảnh</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>; %n already in the gallery</source>
        <translation>
            <numerusform>; %n ảnh đã có sẵn trong thư viện</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exporting %n picture(s)…</source>
        <translation>
            <numerusform>Đang xuất %n ảnh…</numerusform>
        </translation>
    </message>
    <message>
        <source>Export cancelled.</source>
        <translation>Đã huỷ việc xuất.</translation>
    </message>
    <message>
        <source>Importing %1…</source>
        <translation>Đang nhập %1…</translation>
    </message>
    <message>
        <source>Edit Picture</source>
        <translation>Sửa ảnh</translation>
    </message>
    <message>
        <source>Cannot Edit Picture</source>
        <translation>Không sửa được ảnh</translation>
    </message>
</context>
<context>
    <name>ldm::ui::GenerationSettings</name>
    <message>
        <source>Noise added per DDIM step; 0 gives the same image for the same seed. Only the DDIM sampler reads it.</source>
        <translation>Nhiễu thêm vào mỗi bước DDIM; 0 cho cùng một ảnh với cùng hạt giống. Chỉ bộ lấy mẫu DDIM dùng giá trị này.</translation>
    </message>
    <message>
        <source>How strongly the prompt steers the image; 1 turns guidance off.</source>
        <translation>Mức độ mô tả chi phối ảnh; 1 là tắt hướng dẫn.</translation>
    </message>
    <message>
        <source>Noise added per DDIM step; 0 gives the same image for the same seed.</source>
        <translation>Lượng nhiễu thêm vào mỗi bước DDIM; 0 cho cùng một ảnh với cùng hạt giống.</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>Ngẫu nhiên</translation>
    </message>
    <message>
        <source>Fixed</source>
        <translation>Cố định</translation>
    </message>
    <message>
        <source>Reuse last</source>
        <translation>Dùng lại lần trước</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Mới</translation>
    </message>
    <message>
        <source>Pick a new random seed and keep it fixed</source>
        <translation>Chọn một hạt giống ngẫu nhiên mới và giữ cố định</translation>
    </message>
    <message>
        <source>Images per click; each gets the next seed.</source>
        <translation>Số ảnh mỗi lần bấm; mỗi ảnh dùng hạt giống kế tiếp.</translation>
    </message>
    <message>
        <source>Sampler</source>
        <translation>Bộ lấy mẫu</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Số bước</translation>
    </message>
    <message>
        <source>Guidance scale</source>
        <translation>Hệ số hướng dẫn</translation>
    </message>
    <message>
        <source>Eta</source>
        <translation>Eta</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Hạt giống</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Kích thước</translation>
    </message>
    <message>
        <source>Batch count</source>
        <translation>Số ảnh mỗi lượt</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>chưa có</translation>
    </message>
    <message>
        <source>Multiples of %1 px, the grid of the model</source>
        <translation>Bội số của %1 px, theo lưới của mô hình</translation>
    </message>
    <message>
        <source>DDIM is deterministic at eta 0; DPM++ 2M needs the fewest steps. Euler … DPM++ 3M SDE are AUTOMATIC1111&apos;s samplers.</source>
        <translation>DDIM cho kết quả cố định khi eta bằng 0; DPM++ 2M cần ít bước nhất. Euler … DPM++ 3M SDE là các bộ lấy mẫu của AUTOMATIC1111.</translation>
    </message>
    <message>
        <source>Which layer of the CLIP text encoder conditions the image, counted from the end: 1 = the last (Stable Diffusion&apos;s own), 2 = the penultimate, as many community models expect.</source>
        <translation>Lớp nào của bộ mã hoá văn bản CLIP điều khiển ảnh, đếm từ cuối: 1 = lớp cuối (mặc định của Stable Diffusion), 2 = lớp áp chót, như nhiều mô hình cộng đồng cần.</translation>
    </message>
    <message>
        <source>CLIP skip</source>
        <translation>Bỏ qua lớp CLIP</translation>
    </message>
</context>
<context>
    <name>ldm::ui::JobQueueView</name>
    <message>
        <source>Paint</source>
        <translation>Vẽ</translation>
    </message>
    <message>
        <source>Upscale</source>
        <translation>Phóng to</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Mô tả</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Bỏ khỏi hàng đợi</translation>
    </message>
    <message>
        <source>Cancel Running</source>
        <translation>Huỷ việc đang chạy</translation>
    </message>
    <message>
        <source>Remove the selected waiting jobs</source>
        <translation>Bỏ các việc đang chờ đã chọn</translation>
    </message>
    <message>
        <source>running</source>
        <translation>đang chạy</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>đang chờ</translation>
    </message>
    <message>
        <source>#%1 %2 · %3 · seed %4 · %5</source>
        <translation>#%1 %2 · %3 · hạt giống %4 · %5</translation>
    </message>
    <message>
        <source>No jobs. Generated pictures go to the Gallery.</source>
        <translation>Không có việc nào. Ảnh đã tạo được lưu vào Thư viện ảnh.</translation>
    </message>
</context>
<context>
    <name>ldm::ui::LabelDocument</name>
    <message>
        <source>New map</source>
        <translation>Bản đồ mới</translation>
    </message>
    <message>
        <source>Adapt map to %1</source>
        <translation>Chuyển bản đồ sang %1</translation>
    </message>
</context>
<context>
    <name>ldm::ui::MainWindow</name>
    <message>
        <source>Seed %1 (restored)</source>
        <translation>Hạt giống %1 (đã khôi phục)</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>Hàng đợi</translation>
    </message>
    <message>
        <source>Latent Canvas</source>
        <translation>Latent Canvas</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Mô tả</translation>
    </message>
    <message>
        <source>Paint</source>
        <translation>Vẽ</translation>
    </message>
    <message>
        <source>Upscale</source>
        <translation>Phóng to</translation>
    </message>
    <message>
        <source>Gallery</source>
        <translation>Thư viện ảnh</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>&amp;Tạo ảnh</translation>
    </message>
    <message>
        <source>Generate (Ctrl+Enter)</source>
        <translation>Tạo ảnh (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Huỷ</translation>
    </message>
    <message>
        <source>Cancel &amp;All Jobs</source>
        <translation>Huỷ &amp;mọi việc</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Hoàn tác</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>&amp;Làm lại</translation>
    </message>
    <message>
        <source>&amp;Copy Result Image</source>
        <translation>&amp;Chép ảnh kết quả</translation>
    </message>
    <message>
        <source>Open &amp;Checkpoint…</source>
        <translation>Mở tệp &amp;mô hình…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Cài đặt…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Thoát</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>&amp;Phóng to</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>Thu &amp;nhỏ</translation>
    </message>
    <message>
        <source>&amp;Fit to Window</source>
        <translation>&amp;Vừa khung</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Tệp</translation>
    </message>
    <message>
        <source>&amp;Import Gallery Zip…</source>
        <translation>&amp;Nhập zip thư viện…</translation>
    </message>
    <message>
        <source>&amp;Export Gallery Zip…</source>
        <translation>&amp;Xuất zip thư viện…</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Sửa</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Xem</translation>
    </message>
    <message>
        <source>&amp;Job Queue</source>
        <translation>&amp;Hàng đợi</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Trợ &amp;giúp</translation>
    </message>
    <message>
        <source>&amp;About Latent Canvas</source>
        <translation>&amp;Giới thiệu Latent Canvas</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Giới thiệu &amp;Qt</translation>
    </message>
    <message>
        <source>The engine is starting…</source>
        <translation>Bộ máy tạo ảnh đang khởi động…</translation>
    </message>
    <message>
        <source>No engine available</source>
        <translation>Chưa có bộ máy tạo ảnh</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Ngôn ngữ</translation>
    </message>
    <message>
        <source>The new language applies the next time Latent Canvas starts.</source>
        <translation>Ngôn ngữ mới sẽ được áp dụng vào lần mở Latent Canvas tới.</translation>
    </message>
    <message>
        <source>Settings restored; sampler “%1” is not available here, kept the current one.</source>
        <translation>Đã khôi phục thông số; bộ lấy mẫu “%1” không có ở đây nên giữ bộ hiện tại.</translation>
    </message>
    <message>
        <source>Settings restored (seed %1).</source>
        <translation>Đã khôi phục thông số (hạt giống %1).</translation>
    </message>
    <message>
        <source>No Settings Found</source>
        <translation>Không tìm thấy thông số</translation>
    </message>
    <message>
        <source>Unsaved Map</source>
        <translation>Bản đồ chưa lưu</translation>
    </message>
    <message>
        <source>The label map has unsaved changes. Save them first?</source>
        <translation>Bản đồ nhãn có thay đổi chưa lưu. Lưu trước không?</translation>
    </message>
    <message>
        <source>No engine available.</source>
        <translation>Chưa có bộ máy tạo ảnh.</translation>
    </message>
    <message>
        <source>This build of Latent Canvas has no image engine attached yet, so it cannot generate pictures. Painting maps, the gallery and imports work without one.</source>
        <translation>Bản Latent Canvas này chưa được gắn bộ máy tạo ảnh nên chưa thể tạo ảnh. Vẽ bản đồ, thư viện ảnh và nhập ảnh vẫn dùng được.</translation>
    </message>
    <message>
        <source>Write a prompt first.</source>
        <translation>Hãy viết mô tả trước.</translation>
    </message>
    <message>
        <source>Open or drop a picture to upscale first.</source>
        <translation>Hãy mở hoặc thả một ảnh cần phóng to trước.</translation>
    </message>
    <message numerus="yes">
        <source>Queued %n job(s).</source>
        <translation>
            <numerusform>Đã xếp %n việc vào hàng đợi.</numerusform>
        </translation>
    </message>
    <message>
        <source>Step %1 of %2</source>
        <translation>Bước %1 / %2</translation>
    </message>
    <message>
        <source>Seed %1</source>
        <translation>Hạt giống %1</translation>
    </message>
    <message>
        <source>Cannot Save Result</source>
        <translation>Không lưu được kết quả</translation>
    </message>
    <message>
        <source>The picture was generated but could not be saved to the gallery: %1</source>
        <translation>Ảnh đã được tạo nhưng không lưu được vào thư viện: %1</translation>
    </message>
    <message>
        <source>Saved to the gallery, but not to %1.</source>
        <translation>Đã lưu vào thư viện, nhưng không lưu được vào %1.</translation>
    </message>
    <message>
        <source>Done: seed %1, saved to the gallery.</source>
        <translation>Xong: hạt giống %1, đã lưu vào thư viện.</translation>
    </message>
    <message>
        <source>Generation Failed</source>
        <translation>Tạo ảnh thất bại</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Đã huỷ.</translation>
    </message>
    <message>
        <source>Model %1 is ready.</source>
        <translation>Mô hình %1 đã sẵn sàng.</translation>
    </message>
    <message>
        <source>Cannot load %1.</source>
        <translation>Không nạp được %1.</translation>
    </message>
    <message>
        <source>Seed %1 · %2</source>
        <translation>Hạt giống %1 · %2</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Sửa ảnh</translation>
    </message>
    <message>
        <source>&amp;Edit Result Image</source>
        <translation>&amp;Sửa ảnh kết quả</translation>
    </message>
    <message>
        <source>There is no result on this page to edit.</source>
        <translation>Trang này chưa có kết quả nào để sửa.</translation>
    </message>
    <message>
        <source>Paint the area to change, or choose Image to Image to redraw it all.</source>
        <translation>Hãy tô vùng cần thay đổi, hoặc chọn Ảnh sang ảnh để vẽ lại toàn bộ.</translation>
    </message>
    <message>
        <source>Settings restored (seed %1); the picture it edited is not stored with it, so open that picture to edit it again.</source>
        <translation>Đã khôi phục thiết lập (hạt giống %1); ảnh gốc không được lưu kèm, hãy mở lại ảnh đó để sửa tiếp.</translation>
    </message>
    <message>
        <source>Picture, mask and settings restored (seed %1).</source>
        <translation>Đã khôi phục ảnh, mặt nạ và thiết lập (hạt giống %1).</translation>
    </message>
</context>
<context>
    <name>ldm::ui::MapFiles</name>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message numerus="yes">
        <source>… and %n more</source>
        <translation>
            <numerusform>… và %n màu khác</numerusform>
        </translation>
    </message>
    <message>
        <source>Colours not in the palette</source>
        <translation>Màu không có trong bảng lớp</translation>
    </message>
    <message numerus="yes">
        <source>%n pixel(s) of this map have colours that are not classes of the palette.</source>
        <translation>
            <numerusform>%n điểm ảnh của bản đồ này có màu không thuộc lớp nào trong bảng lớp.</numerusform>
        </translation>
    </message>
    <message>
        <source>Map each colour to the nearest class?

%1</source>
        <translation>Gán mỗi màu cho lớp gần nhất?

%1</translation>
    </message>
    <message>
        <source>Map to Nearest Class</source>
        <translation>Gán cho lớp gần nhất</translation>
    </message>
    <message>
        <source>Open %1</source>
        <translation>Mở %1</translation>
    </message>
</context>
<context>
    <name>ldm::ui::MaskCanvas</name>
    <message>
        <source>Brush stroke</source>
        <translation>Nét cọ</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>Tô kín</translation>
    </message>
    <message>
        <source>Eraser stroke</source>
        <translation>Nét tẩy</translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation>Hình chữ nhật</translation>
    </message>
</context>
<context>
    <name>ldm::ui::MaskToolBar</name>
    <message>
        <source>Save the mask as a black-and-white PNG</source>
        <translation>Lưu mặt nạ thành ảnh PNG đen trắng</translation>
    </message>
    <message>
        <source>Save Mask…</source>
        <translation>Lưu mặt nạ…</translation>
    </message>
    <message>
        <source>Load a mask from an image file: white is changed, black is kept</source>
        <translation>Tải mặt nạ từ một tệp ảnh: vùng trắng được vẽ lại, vùng đen được giữ nguyên</translation>
    </message>
    <message>
        <source>Load Mask…</source>
        <translation>Tải mặt nạ…</translation>
    </message>
    <message>
        <source>Mask Brush (B): paint the area to change</source>
        <translation>Cọ mặt nạ (B): tô vùng cần thay đổi</translation>
    </message>
    <message>
        <source>Mask Eraser (E): keep this area</source>
        <translation>Tẩy mặt nạ (E): giữ nguyên vùng này</translation>
    </message>
    <message>
        <source>Rectangle (R): mask a rectangle</source>
        <translation>Hình chữ nhật (R): tô một hình chữ nhật</translation>
    </message>
    <message>
        <source>Fill (F): mask the enclosed area under the cursor</source>
        <translation>Tô kín (F): tô vùng khép kín dưới con trỏ</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Cỡ</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>Brush diameter in picture pixels</source>
        <translation>Đường kính cọ tính bằng điểm ảnh của ảnh</translation>
    </message>
    <message>
        <source>Invert Mask (I)</source>
        <translation>Đảo mặt nạ (I)</translation>
    </message>
    <message>
        <source>Invert mask</source>
        <translation>Đảo mặt nạ</translation>
    </message>
    <message>
        <source>Clear Mask</source>
        <translation>Xoá mặt nạ</translation>
    </message>
    <message>
        <source>Clear mask</source>
        <translation>Xoá mặt nạ</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Hoàn tác</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Làm lại</translation>
    </message>
    <message>
        <source>Zoom In</source>
        <translation>Phóng to</translation>
    </message>
    <message>
        <source>Zoom Out</source>
        <translation>Thu nhỏ</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Vừa khung</translation>
    </message>
</context>
<context>
    <name>ldm::ui::ModelPicker</name>
    <message>
        <source>%1 (cannot load)</source>
        <translation>%1 (không tải được)</translation>
    </message>
    <message>
        <source>This model cannot upscale. Upscaling needs a super-resolution checkpoint: the CompVis LDM model bsr_sr (model.ckpt with its project.yaml) or Stability&apos;s x4-upscaler-ema.safetensors (from ommer-lab.com/files/latent-diffusion/sr_bsr.zip or huggingface.co/stabilityai/stable-diffusion-x4-upscaler), then choose it with Open checkpoint….</source>
        <translation>Mô hình này không phóng to ảnh được. Phóng to cần một tệp mô hình siêu phân giải: mô hình CompVis LDM bsr_sr (model.ckpt cùng project.yaml của nó) hoặc x4-upscaler-ema.safetensors của Stability (tải từ ommer-lab.com/files/latent-diffusion/sr_bsr.zip hoặc huggingface.co/stabilityai/stable-diffusion-x4-upscaler), rồi chọn nó bằng Mở tệp mô hình….</translation>
    </message>
    <message>
        <source>Open checkpoint…</source>
        <translation>Mở tệp mô hình…</translation>
    </message>
    <message>
        <source>Open Checkpoint</source>
        <translation>Mở tệp mô hình</translation>
    </message>
    <message>
        <source>Checkpoints (*.safetensors *.ckpt *.pt *.pth);;All files (*)</source>
        <translation>Tệp mô hình (*.safetensors *.ckpt *.pt *.pth);;Mọi tệp (*)</translation>
    </message>
    <message>
        <source>generate from text</source>
        <translation>tạo ảnh từ văn bản</translation>
    </message>
    <message>
        <source>paint from a map</source>
        <translation>vẽ từ bản đồ</translation>
    </message>
    <message>
        <source>upscale</source>
        <translation>phóng to ảnh</translation>
    </message>
    <message>
        <source>Shipped with Latent Canvas</source>
        <translation>Đi kèm Latent Canvas</translation>
    </message>
    <message>
        <source>No model installed</source>
        <translation>Chưa cài mô hình nào</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>Đang nạp mô hình…</translation>
    </message>
    <message>
        <source>images in multiples of %1 px</source>
        <translation>cạnh ảnh là bội số của %1 px</translation>
    </message>
    <message>
        <source>reads prompts</source>
        <translation>đọc câu mô tả</translation>
    </message>
    <message>
        <source>hash %1</source>
        <translation>mã băm %1</translation>
    </message>
    <message>
        <source>This model cannot %1; choose another one.</source>
        <translation>Mô hình này không thể %1; hãy chọn mô hình khác.</translation>
    </message>
    <message>
        <source>Cannot load this model: %1</source>
        <translation>Không nạp được mô hình này: %1</translation>
    </message>
    <message>
        <source>Open a checkpoint file to generate pictures.</source>
        <translation>Hãy mở một tệp mô hình để tạo ảnh.</translation>
    </message>
    <message>
        <source>classes: %1</source>
        <translation>số lớp: %1</translation>
    </message>
    <message>
        <source>fill a masked area</source>
        <translation>vẽ lại vùng được tô</translation>
    </message>
    <message>
        <source>redraw a picture</source>
        <translation>vẽ lại một bức ảnh</translation>
    </message>
    <message>
        <source>Use a checkpoint file from disk: .safetensors, or PyTorch .ckpt / .pt / .pth (read without running any code from it). A config.yaml with the same name beside it is used.</source>
        <translation>Dùng một tệp mô hình trên máy: .safetensors, hoặc PyTorch .ckpt / .pt / .pth (được đọc mà không chạy mã nào trong tệp). Tệp config.yaml cùng tên đặt bên cạnh sẽ được dùng.</translation>
    </message>
    <message>
        <source>SD-2.x weights do not say whether they predict v (768-v) or the noise (512-base); taken as %1. To choose, put the model&apos;s config.yaml beside it as %2.</source>
        <translation>Trọng số SD-2.x không cho biết chúng dự đoán v (768-v) hay nhiễu (512-base); đang coi là %1. Để chọn, hãy đặt config.yaml của mô hình bên cạnh với tên %2.</translation>
    </message>
</context>
<context>
    <name>ldm::ui::NewMapDialog</name>
    <message>
        <source>New Map</source>
        <translation>Bản đồ mới</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>Chiều rộng</translation>
    </message>
    <message>
        <source>Height</source>
        <translation>Chiều cao</translation>
    </message>
    <message>
        <source>Fill with</source>
        <translation>Tô bằng lớp</translation>
    </message>
    <message>
        <source>Multiples of %1 px, the grid of the model</source>
        <translation>Bội số của %1 px, theo lưới của mô hình</translation>
    </message>
</context>
<context>
    <name>ldm::ui::PaintPanel</name>
    <message>
        <source>The label map has unsaved changes. Save them first?</source>
        <translation>Bản đồ nhãn có thay đổi chưa lưu. Lưu lại trước không?</translation>
    </message>
    <message>
        <source>Unsaved Map</source>
        <translation>Bản đồ chưa lưu</translation>
    </message>
    <message>
        <source>&amp;New Map…</source>
        <translation>Bản đồ &amp;mới…</translation>
    </message>
    <message>
        <source>&amp;Open Map…</source>
        <translation>&amp;Mở bản đồ…</translation>
    </message>
    <message>
        <source>&amp;Save Map</source>
        <translation>&amp;Lưu bản đồ</translation>
    </message>
    <message>
        <source>Save Map &amp;As…</source>
        <translation>Lưu bản đồ &amp;thành…</translation>
    </message>
    <message>
        <source>%1, %2: %3</source>
        <translation>%1, %2: %3</translation>
    </message>
    <message>
        <source>The picture generated from the map appears here.</source>
        <translation>Ảnh tạo từ bản đồ sẽ hiện ở đây.</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>Các lớp</translation>
    </message>
    <message>
        <source>The class the eraser paints and new maps start with</source>
        <translation>Lớp mà cục tẩy tô và bản đồ mới bắt đầu bằng</translation>
    </message>
    <message>
        <source>Optional, for text-conditioned models</source>
        <translation>Không bắt buộc, dành cho mô hình nhận mô tả chữ</translation>
    </message>
    <message>
        <source>Eraser class</source>
        <translation>Lớp của cục tẩy</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Mô tả</translation>
    </message>
    <message>
        <source>Untitled map</source>
        <translation>Bản đồ chưa đặt tên</translation>
    </message>
    <message>
        <source> (modified)</source>
        <translation> (đã sửa)</translation>
    </message>
    <message>
        <source>%1%2 · %3 × %4 px</source>
        <translation>%1%2 · %3 × %4 px</translation>
    </message>
    <message>
        <source>Open Map</source>
        <translation>Mở bản đồ</translation>
    </message>
    <message>
        <source>Images (*.png *.bmp *.gif *.jpg *.jpeg *.webp);;All files (*)</source>
        <translation>Ảnh (*.png *.bmp *.gif *.jpg *.jpeg *.webp);;Mọi tệp (*)</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>Đã mở %1</translation>
    </message>
    <message>
        <source>Cannot Open Map</source>
        <translation>Không mở được bản đồ</translation>
    </message>
    <message>
        <source>Cannot Save Map</source>
        <translation>Không lưu được bản đồ</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>Đã lưu %1</translation>
    </message>
    <message>
        <source>Save Map</source>
        <translation>Lưu bản đồ</translation>
    </message>
    <message>
        <source>Indexed PNG (*.png)</source>
        <translation>PNG bảng màu (*.png)</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Mô hình</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>Đang mở %1…</translation>
    </message>
    <message>
        <source>The palette now shows the classes of %1.</source>
        <translation>Bảng màu giờ hiện các lớp của %1.</translation>
    </message>
    <message>
        <source>The map is now a scribble: draw black strokes on white.</source>
        <translation>Bản đồ giờ là bản phác thảo: vẽ nét đen trên nền trắng.</translation>
    </message>
    <message>
        <source>Carried over by name: %1.</source>
        <translation>Chuyển theo tên: %1.</translation>
    </message>
    <message>
        <source>No class matches %1; painted as %2 now.</source>
        <translation>Không lớp nào khớp với %1; giờ được tô thành %2.</translation>
    </message>
    <message>
        <source>Choose a ControlNet for %1 first: it turns the map into the picture.</source>
        <translation>Hãy chọn một ControlNet cho %1 trước: nó biến bản đồ thành ảnh.</translation>
    </message>
    <message>
        <source>The ControlNet %1 of these settings was not found; choose it to paint the same way.</source>
        <translation>Không tìm thấy ControlNet %1 của các thiết lập này; hãy chọn nó để vẽ như cũ.</translation>
    </message>
    <message>
        <source>Paints through a ControlNet: choose one below.</source>
        <translation>Vẽ qua một ControlNet: hãy chọn một ControlNet bên dưới.</translation>
    </message>
    <message>
        <source>What the picture shows</source>
        <translation>Ảnh thể hiện gì</translation>
    </message>
</context>
<context>
    <name>ldm::ui::PaintTools</name>
    <message>
        <source>Brush</source>
        <translation>Cọ</translation>
    </message>
    <message>
        <source>Eraser (paints the default class)</source>
        <translation>Tẩy (tô lớp mặc định)</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>Đổ màu</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Đường thẳng</translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation>Hình chữ nhật</translation>
    </message>
    <message>
        <source>Pick class</source>
        <translation>Lấy lớp</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>Công cụ</translation>
    </message>
    <message>
        <source>Round</source>
        <translation>Tròn</translation>
    </message>
    <message>
        <source>Square</source>
        <translation>Vuông</translation>
    </message>
    <message>
        <source>Brush shape</source>
        <translation>Hình dạng cọ</translation>
    </message>
    <message>
        <source>Brush size ([ and ] change it)</source>
        <translation>Cỡ cọ (đổi bằng [ và ])</translation>
    </message>
    <message>
        <source> Size </source>
        <translation> Cỡ </translation>
    </message>
    <message>
        <source>Smaller Brush</source>
        <translation>Cọ nhỏ hơn</translation>
    </message>
    <message>
        <source>Larger Brush</source>
        <translation>Cọ lớn hơn</translation>
    </message>
</context>
<context>
    <name>ldm::ui::PaletteList</name>
    <message>
        <source>Search classes…</source>
        <translation>Tìm lớp…</translation>
    </message>
    <message>
        <source>Class %1: %2 (%3)</source>
        <translation>Lớp %1: %2 (%3)</translation>
    </message>
</context>
<context>
    <name>ldm::ui::PreviewView</name>
    <message>
        <source>Generated images appear here.</source>
        <translation>Ảnh được tạo sẽ hiện ở đây.</translation>
    </message>
    <message>
        <source>Edit This Picture</source>
        <translation>Sửa ảnh này</translation>
    </message>
</context>
<context>
    <name>ldm::ui::PromptFields</name>
    <message>
        <source>Describe the picture, e.g. “a lake below snowy mountains at sunrise, oil painting”</source>
        <translation>Mô tả bức ảnh, ví dụ “hồ nước dưới chân núi tuyết lúc bình minh, tranh sơn dầu”</translation>
    </message>
    <message>
        <source>What to avoid, e.g. “blurry, text, watermark”</source>
        <translation>Những gì cần tránh, ví dụ “mờ, chữ, hình mờ”</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Lịch sử</translation>
    </message>
    <message>
        <source>Reuse an earlier prompt</source>
        <translation>Dùng lại một mô tả trước đây</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Mô tả</translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation>Mô tả loại trừ</translation>
    </message>
    <message>
        <source>No prompts yet</source>
        <translation>Chưa có mô tả nào</translation>
    </message>
    <message>
        <source>Clear History</source>
        <translation>Xoá lịch sử</translation>
    </message>
</context>
<context>
    <name>ldm::ui::PromptPanel</name>
    <message>
        <source>Model</source>
        <translation>Mô hình</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>Lấy mẫu</translation>
    </message>
</context>
<context>
    <name>ldm::ui::RecipeText</name>
    <message>
        <source>whole image</source>
        <translation>toàn bộ ảnh</translation>
    </message>
    <message>
        <source>%1 px of the input</source>
        <translation>%1 px của ảnh đầu vào</translation>
    </message>
    <message>
        <source>Paint (semantic map)</source>
        <translation>Vẽ (bản đồ ngữ nghĩa)</translation>
    </message>
    <message>
        <source>Upscale (4×)</source>
        <translation>Phóng to (4×)</translation>
    </message>
    <message>
        <source>Text to image</source>
        <translation>Tạo ảnh từ mô tả</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Mô tả</translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation>Mô tả loại trừ</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>Tác vụ</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Mô hình</translation>
    </message>
    <message>
        <source>Sampler</source>
        <translation>Bộ lấy mẫu</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Số bước</translation>
    </message>
    <message>
        <source>Guidance scale</source>
        <translation>Hệ số hướng dẫn</translation>
    </message>
    <message>
        <source>Eta</source>
        <translation>Eta</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Hạt giống</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Kích thước</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>Độ chính xác</translation>
    </message>
    <message>
        <source>Map hash</source>
        <translation>Mã băm bản đồ</translation>
    </message>
    <message>
        <source>Input hash</source>
        <translation>Mã băm ảnh gốc</translation>
    </message>
    <message>
        <source>Tile size</source>
        <translation>Cỡ ô</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Bộ máy</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Thời điểm tạo</translation>
    </message>
    <message>
        <source>Image to image</source>
        <translation>Ảnh sang ảnh</translation>
    </message>
    <message>
        <source>Inpaint (masked area)</source>
        <translation>Vẽ lại vùng (vùng được tô)</translation>
    </message>
    <message>
        <source>Outpaint (grown canvas)</source>
        <translation>Mở rộng ảnh (khung nới rộng)</translation>
    </message>
    <message>
        <source>Mask hash</source>
        <translation>Mã băm mặt nạ</translation>
    </message>
    <message>
        <source>Strength</source>
        <translation>Độ mạnh</translation>
    </message>
</context>
<context>
    <name>ldm::ui::SamplingExtras</name>
    <message>
        <source>Automatic</source>
        <translation>Tự động</translation>
    </message>
    <message>
        <source>How the noise levels are spaced over the steps (AUTOMATIC1111&apos;s “Schedule type”); Automatic is the sampler&apos;s own choice. Only the k-diffusion samplers (Euler … DPM++ 3M SDE) read it.</source>
        <translation>Cách chia các mức nhiễu qua các bước (“Schedule type” của AUTOMATIC1111); Tự động là lựa chọn riêng của bộ lấy mẫu. Chỉ các bộ lấy mẫu k-diffusion (Euler … DPM++ 3M SDE) dùng giá trị này.</translation>
    </message>
    <message>
        <source>Ours</source>
        <translation>Của Latent Canvas</translation>
    </message>
    <message>
        <source>Latent Canvas&apos;s own generator (the default): replays the pictures made here with it.</source>
        <translation>Bộ sinh số riêng của Latent Canvas (mặc định): tạo lại đúng các ảnh đã làm ở đây bằng nó.</translation>
    </message>
    <message>
        <source>torch.randn on the CPU: AUTOMATIC1111&apos;s “CPU” source and ComfyUI&apos;s noise; the same seed gives their picture.</source>
        <translation>torch.randn trên CPU: nguồn “CPU” của AUTOMATIC1111 và nhiễu của ComfyUI; cùng hạt giống cho đúng ảnh của các chương trình đó.</translation>
    </message>
    <message>
        <source>AUTOMATIC1111&apos;s default GPU noise (its Philox “NV” generator), computed on any device: the same seed gives the picture A1111 made with its GPU source.</source>
        <translation>Nhiễu GPU mặc định của AUTOMATIC1111 (bộ sinh Philox “NV”), tính được trên mọi thiết bị: cùng hạt giống cho đúng ảnh mà A1111 tạo với nguồn GPU.</translation>
    </message>
    <message>
        <source>Which generator draws the seed&apos;s noise (AUTOMATIC1111&apos;s “Random number generator source”).</source>
        <translation>Bộ sinh số nào tạo nhiễu từ hạt giống (“Random number generator source” của AUTOMATIC1111).</translation>
    </message>
    <message>
        <source>Variation seed: small changes to a picture you like</source>
        <translation>Hạt giống biến thể: thay đổi nhỏ cho một ảnh bạn thích</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Mới</translation>
    </message>
    <message>
        <source>Pick a new random variation seed</source>
        <translation>Chọn một hạt giống biến thể ngẫu nhiên mới</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Tắt</translation>
    </message>
    <message>
        <source>How far the starting noise leans toward the variation seed&apos;s noise: 0 = off, 1 = the variation seed&apos;s picture. The noise of later steps stays the seed&apos;s.</source>
        <translation>Nhiễu ban đầu nghiêng về nhiễu của hạt giống biến thể đến đâu: 0 = tắt, 1 = ảnh của hạt giống biến thể. Nhiễu của các bước sau vẫn theo hạt giống chính.</translation>
    </message>
    <message>
        <source>Schedule type</source>
        <translation>Kiểu lịch nhiễu</translation>
    </message>
    <message>
        <source>RNG source</source>
        <translation>Nguồn số ngẫu nhiên</translation>
    </message>
    <message>
        <source>Variation seed</source>
        <translation>Hạt giống biến thể</translation>
    </message>
    <message>
        <source>Variation strength</source>
        <translation>Mức biến thể</translation>
    </message>
    <message>
        <source>With %1, Automatic means %2.</source>
        <translation>Với %1, Tự động nghĩa là %2.</translation>
    </message>
    <message>
        <source>This sampler has its own fixed steps and reads no schedule.</source>
        <translation>Bộ lấy mẫu này có các bước cố định riêng và không dùng lịch nhiễu.</translation>
    </message>
    <message>
        <source>Extra: variation %1</source>
        <translation>Thêm: biến thể %1</translation>
    </message>
    <message>
        <source>Extra</source>
        <translation>Thêm</translation>
    </message>
</context>
<context>
    <name>ldm::ui::SettingsDialog</name>
    <message>
        <source>Embeddings Folder</source>
        <translation>Thư mục embedding</translation>
    </message>
    <message>
        <source>Embeddings folder</source>
        <translation>Thư mục embedding</translation>
    </message>
    <message>
        <source>LoRA Folder</source>
        <translation>Thư mục LoRA</translation>
    </message>
    <message>
        <source>LoRA folder</source>
        <translation>Thư mục LoRA</translation>
    </message>
    <message>
        <source>Textual-inversion embeddings: a prompt word equal to a file&apos;s name stands for its vectors</source>
        <translation>Embedding textual inversion: một từ trong mô tả trùng tên tệp được thay bằng các vectơ của tệp đó</translation>
    </message>
    <message>
        <source>Where &lt;lora:name:weight&gt; in a prompt finds name.safetensors (subfolders too), as AUTOMATIC1111&apos;s models/Lora</source>
        <translation>Nơi &lt;lora:name:weight&gt; trong mô tả tìm name.safetensors (cả thư mục con), như models/Lora của AUTOMATIC1111</translation>
    </message>
    <message>
        <source>LoRA and embeddings (Stable Diffusion models)</source>
        <translation>LoRA và embedding (mô hình Stable Diffusion)</translation>
    </message>
    <message>
        <source>Automatic leaves cores to other busy programs while it works; a fixed count repeats a recipe&apos;s pixels exactly.</source>
        <translation>Tự động nhường lõi cho các chương trình bận khác trong lúc chạy; số luồng cố định cho lại đúng từng điểm ảnh của một công thức.</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Cài đặt</translation>
    </message>
    <message>
        <source>Automatic (%1)</source>
        <translation>Tự động (%1)</translation>
    </message>
    <message>
        <source>fp32 (exact)</source>
        <translation>fp32 (chính xác)</translation>
    </message>
    <message>
        <source>bf16 (faster on recent CPUs, slightly different images)</source>
        <translation>bf16 (nhanh hơn trên CPU đời mới, ảnh hơi khác)</translation>
    </message>
    <message>
        <source>No previews</source>
        <translation>Không xem trước</translation>
    </message>
    <message>
        <source>every </source>
        <translation>mỗi </translation>
    </message>
    <message>
        <source> step(s)</source>
        <translation> bước</translation>
    </message>
    <message>
        <source>Latent projection (fast, approximate colours)</source>
        <translation>Chiếu không gian tiềm ẩn (nhanh, màu gần đúng)</translation>
    </message>
    <message>
        <source>Full decode (exact, costs a decoder pass)</source>
        <translation>Giải mã đầy đủ (chính xác, tốn một lượt giải mã)</translation>
    </message>
    <message>
        <source>Gallery only</source>
        <translation>Chỉ lưu vào thư viện</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Duyệt…</translation>
    </message>
    <message>
        <source>Output Folder</source>
        <translation>Thư mục lưu kết quả</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Theo hệ thống</translation>
    </message>
    <message>
        <source>Engine</source>
        <translation>Bộ máy</translation>
    </message>
    <message>
        <source>Threads</source>
        <translation>Số luồng</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>Độ chính xác</translation>
    </message>
    <message>
        <source>Previews</source>
        <translation>Xem trước</translation>
    </message>
    <message>
        <source>Interval</source>
        <translation>Tần suất</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>Chế độ</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Chung</translation>
    </message>
    <message>
        <source>Also save results to</source>
        <translation>Lưu thêm kết quả vào</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Ngôn ngữ</translation>
    </message>
    <message>
        <source>A new language applies after a restart.</source>
        <translation>Ngôn ngữ mới có hiệu lực sau khi khởi động lại.</translation>
    </message>
</context>
<context>
    <name>ldm::ui::UpscalePanel</name>
    <message>
        <source>Edge of the square pieces of the input picture the upscaler works on at a time, in input pixels. Whole image is one piece; smaller tiles need less memory.</source>
        <translation>Cạnh của các mảnh vuông của ảnh đầu vào mà bộ phóng to xử lý mỗi lần, tính bằng điểm ảnh đầu vào. Toàn bộ ảnh là một mảnh; mảnh nhỏ hơn cần ít bộ nhớ hơn.</translation>
    </message>
    <message>
        <source>%1 px of the input</source>
        <translation>%1 px của ảnh đầu vào</translation>
    </message>
    <message>
        <source>No image</source>
        <translation>Chưa có ảnh</translation>
    </message>
    <message>
        <source>Open Image…</source>
        <translation>Mở ảnh…</translation>
    </message>
    <message>
        <source>Whole image</source>
        <translation>Cả ảnh</translation>
    </message>
    <message>
        <source>%1 px</source>
        <translation>%1 px</translation>
    </message>
    <message>
        <source>or drop a picture anywhere on this page</source>
        <translation>hoặc thả một ảnh vào bất kỳ đâu trên trang này</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>Ảnh gốc</translation>
    </message>
    <message>
        <source>Output (%1×)</source>
        <translation>Kết quả (%1×)</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Số bước</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Hạt giống</translation>
    </message>
    <message>
        <source>Tile size</source>
        <translation>Cỡ ô</translation>
    </message>
    <message>
        <source>Open Image</source>
        <translation>Mở ảnh</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.webp *.gif);;All files (*)</source>
        <translation>Ảnh (*.png *.jpg *.jpeg *.bmp *.webp *.gif);;Mọi tệp (*)</translation>
    </message>
    <message>
        <source>Cannot Open Image</source>
        <translation>Không mở được ảnh</translation>
    </message>
    <message>
        <source>Image Too Large</source>
        <translation>Ảnh quá lớn</translation>
    </message>
    <message>
        <source>%1 is %2 × %3 pixels. The upscaler accepts up to %4 pixels per side (the result would be %5× larger); crop or shrink it first.</source>
        <translation>%1 có kích thước %2 × %3 điểm ảnh. Bộ phóng to nhận tối đa %4 điểm ảnh mỗi cạnh (kết quả sẽ lớn gấp %5 lần); hãy cắt hoặc thu nhỏ ảnh trước.</translation>
    </message>
    <message>
        <source>%1 × %2 px</source>
        <translation>%1 × %2 px</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>Đã mở %1</translation>
    </message>
    <message>
        <source>Edge of the input tiles the upscaler works on. Smaller tiles need less memory.</source>
        <translation>Cạnh của các ô ảnh gốc mà bộ phóng to xử lý. Ô nhỏ hơn tốn ít bộ nhớ hơn.</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Mô hình</translation>
    </message>
</context>
<context>
    <name>ldm::ui::UpscalePromptBox</name>
    <message>
        <source>Stable Diffusion x4 upscaler</source>
        <translation>Bộ phóng to x4 của Stable Diffusion</translation>
    </message>
    <message>
        <source>What the picture shows</source>
        <translation>Ảnh thể hiện gì</translation>
    </message>
    <message>
        <source>What to avoid</source>
        <translation>Điều cần tránh</translation>
    </message>
    <message>
        <source>Noise added to the small picture before upscaling: more lets the model invent more detail, less keeps closer to the input.</source>
        <translation>Nhiễu thêm vào ảnh nhỏ trước khi phóng to: nhiều hơn để mô hình tự tạo thêm chi tiết, ít hơn để giữ sát ảnh gốc.</translation>
    </message>
    <message>
        <source>How closely the upscaler follows the prompt.</source>
        <translation>Bộ phóng to bám theo câu mô tả chặt đến đâu.</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Câu mô tả</translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation>Câu mô tả phủ định</translation>
    </message>
    <message>
        <source>Noise level</source>
        <translation>Mức nhiễu</translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation>Hướng dẫn</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Gallery Unavailable</source>
        <translation>Không dùng được thư viện ảnh</translation>
    </message>
</context>
</TS>
