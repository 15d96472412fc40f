#!/usr/bin/env bash
# Regenerate the demo/test shoot folder samples/nobisuku-halloween/.
#
# Developer tool only: the generated media are committed, nothing runs this at
# build or test time. Idempotent: it deletes samples/nobisuku-halloween/ and
# builds it again. Output is deterministic for a given set of tool versions
# (fixed dates, fixed crops, no randomness); see the md5 list it prints.
#
# Debian packages it needs (installed with apt-get if missing, as root or sudo):
#   python3-skimage          source pictures (public domain / CC0, see samples/README.md)
#   libvips-tools            vips, vipsheader: crop, lanczos3 upscale, ICC, JPEG
#   libheif-examples         heif-enc: the iPhone-like HEIC
#   libimage-exiftool-perl   exiftool: EXIF / GPS / XMP / IPTC / QuickTime tags
#   ffmpeg                   ffmpeg, ffprobe: the QuickTime clip
#   argyll-ref               DisplayP3.icm (public domain) for IMG_0015.JPG
#
# Usage: scripts/make-samples.sh
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$repo/samples/nobisuku-halloween"
skdata=/usr/lib/python3/dist-packages/skimage/data
p3icc=/usr/share/color/argyll/ref/DisplayP3.icm

# ---------------------------------------------------------------- packages --
packages=(python3-skimage libvips-tools libheif-examples libimage-exiftool-perl
          ffmpeg argyll-ref)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  echo "make-samples: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
for f in astronaut.png coffee.png chelsea.png rocket.jpg; do
  [ -f "$skdata/$f" ] || { echo "make-samples: missing $skdata/$f" >&2; exit 1; }
done
[ -f "$p3icc" ] || { echo "make-samples: missing $p3icc" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rm -rf "$out"
mkdir -p "$out"

# exiftool: write in place, no *_original backups, no "x files updated" noise.
et() { exiftool -q -overwrite_original -P "$@"; }

# Where the "event" happened: Tokyo (Shinjuku, 35.6895 N 139.6917 E), about
# 40 m above sea level; each phone picture gets a slightly different fix.
# Common EXIF position tags for phone pictures:
#   gps_args LAT LON ALT UTC-TIME   (north/east, metres above sea level)
gps_args() {
  printf '%s\n' \
    "-GPS:GPSVersionID=2.2.0.0" \
    "-GPS:GPSLatitude=$1" "-GPS:GPSLatitudeRef=N" \
    "-GPS:GPSLongitude=$2" "-GPS:GPSLongitudeRef=E" \
    "-GPS:GPSAltitude=$3" "-GPS:GPSAltitudeRef#=0" \
    "-GPS:GPSDateStamp=2026:11:20" "-GPS:GPSTimeStamp=$4" \
    "-GPS:GPSHPositioningError=4.7"
}

# Upscale with lanczos3 like a phone-sized picture; strip everything (ICC,
# EXIF, XMP) so only what this script writes ends up in the files.
# 4:2:0 chroma like phone and camera JPEGs (vips keeps 4:4:4 at Q90 otherwise).
jpeg() {
  vips jpegsave "$1" "$2" --Q 90 --strip --optimize-coding --subsample-mode on
}

# ------------------------------------------------------- 1. IMG_0012.HEIC --
# Astronaut (face), 3:4 portrait crop 384x512 at x=32, upscaled x4 -> 1536x2048.
vips crop "$skdata/astronaut.png" "$tmp/a12.v" 32 0 384 512
vips resize "$tmp/a12.v" "$tmp/a12b.v" 4 --kernel lanczos3
vips pngsave "$tmp/a12b.v" "$tmp/a12.png" --compression 1 --strip
heif-enc -q 70 -t 320 \
  --colour_primaries 1 --transfer_characteristic 13 \
  --matrix_coefficients 6 --full_range_flag 1 \
  -o "$out/IMG_0012.HEIC" "$tmp/a12.png" >/dev/null
mapfile -t g < <(gps_args 35.6895 139.6917 40 01:32:15)
et "${g[@]}" \
  -IFD0:Make=Apple -IFD0:Model="iPhone 14" -IFD0:Software=19.1 \
  -IFD0:HostComputer="iPhone 14" -IFD0:Orientation#=1 \
  -IFD0:ModifyDate="2026:11:20 10:32:15" \
  -ExifIFD:DateTimeOriginal="2026:11:20 10:32:15" \
  -ExifIFD:CreateDate="2026:11:20 10:32:15" \
  -ExifIFD:OffsetTime=+09:00 -ExifIFD:OffsetTimeOriginal=+09:00 \
  -ExifIFD:OffsetTimeDigitized=+09:00 \
  -ExifIFD:SubSecTimeOriginal=482 \
  -ExifIFD:ExposureTime=1/60 -ExifIFD:FNumber=1.5 -ExifIFD:ISO=200 \
  -ExifIFD:FocalLength=5.7 -ExifIFD:FocalLengthIn35mmFormat=26 \
  -ExifIFD:LensMake=Apple \
  -ExifIFD:LensModel="iPhone 14 back dual wide camera 5.7mm f/1.5" \
  -ExifIFD:SerialNumber=F17KX0012DEMO -ExifIFD:OwnerName="Hanako Yamada" \
  -ExifIFD:ColorSpace#=1 \
  -GPS:GPSSpeed=0 -GPS:GPSSpeedRef#=K \
  -GPS:GPSImgDirection=211.5 -GPS:GPSImgDirectionRef#=T \
  -XMP-dc:Creator="山田 花子 (Hanako Yamada)" \
  -XMP-xmp:CreatorTool=19.1 -XMP-xmp:CreateDate="2026:11:20 10:32:15+09:00" \
  -XMP-photoshop:DateCreated="2026:11:20 10:32:15+09:00" \
  "$out/IMG_0012.HEIC"

# -------------------------------------------------------- 2. IMG_0013.JPG --
# Astronaut, 3:2 landscape crop 480x320 at (16,40), x6.25 -> 3000x2000 upright.
# Stored rotated 90 deg counter-clockwise (2000x3000) with Orientation=6
# ("Rotate 90 CW"), so only a viewer that applies EXIF orientation shows her
# upright.
vips crop "$skdata/astronaut.png" "$tmp/a13.v" 16 40 480 320
vips resize "$tmp/a13.v" "$tmp/a13b.v" 6.25 --kernel lanczos3
vips rot "$tmp/a13b.v" "$tmp/a13r.v" d270
jpeg "$tmp/a13r.v" "$out/IMG_0013.JPG"
mapfile -t g < <(gps_args 35.6897 139.6922 41 01:47:03)
et "${g[@]}" \
  -IFD0:Make=Google -IFD0:Model="Pixel 7" \
  -IFD0:Software="HDR+ 1.0.540104767zd" -IFD0:Orientation#=6 \
  -IFD0:ModifyDate="2026:11:20 10:47:03" \
  -ExifIFD:DateTimeOriginal="2026:11:20 10:47:03" \
  -ExifIFD:CreateDate="2026:11:20 10:47:03" \
  -ExifIFD:OffsetTime=+09:00 -ExifIFD:OffsetTimeOriginal=+09:00 \
  -ExifIFD:ExposureTime=1/120 -ExifIFD:FNumber=1.85 -ExifIFD:ISO=125 \
  -ExifIFD:FocalLength=6.81 -ExifIFD:FocalLengthIn35mmFormat=25 \
  -ExifIFD:ColorSpace#=1 \
  "$out/IMG_0013.JPG"

# -------------------------------------------------------- 3. IMG_0014.JPG --
# Rocket (SpaceX, shipped as Adobe RGB: converted to sRGB first), 3:2 crop
# 630x420 at (5,3), x4.8 -> 3024x2016. "Camera JPEG" full of metadata.
vips icc_transform "$skdata/rocket.jpg" "$tmp/r.v" srgb --embedded
vips crop "$tmp/r.v" "$tmp/r14.v" 5 3 630 420
vips resize "$tmp/r14.v" "$tmp/r14b.v" 4.8 --kernel lanczos3
jpeg "$tmp/r14b.v" "$out/IMG_0014.JPG"
# 160x107 EXIF thumbnail (IFD1), like a camera's.
vips thumbnail_image "$tmp/r14b.v" "$tmp/thumb14.v" 160
vips jpegsave "$tmp/thumb14.v" "$tmp/thumb14.jpg" --Q 80 --strip
et \
  -IFD0:Make=Canon -IFD0:Model="Canon EOS R6" \
  -IFD0:Software="Firmware Version 1.8.0" \
  -IFD0:Artist="Taro Suzuki" \
  -IFD0:Copyright="Copyright (c) 2026 Taro Suzuki. All rights reserved." \
  -IFD0:Orientation#=1 -IFD0:ModifyDate="2026:11:20 11:05:40" \
  -ExifIFD:DateTimeOriginal="2026:11:20 11:05:40" \
  -ExifIFD:CreateDate="2026:11:20 11:05:40" \
  -ExifIFD:OffsetTime=+09:00 -ExifIFD:OffsetTimeOriginal=+09:00 \
  -ExifIFD:OffsetTimeDigitized=+09:00 \
  -ExifIFD:SubSecTimeOriginal=27 \
  -ExifIFD:ExposureTime=1/30 -ExifIFD:FNumber=4.0 -ExifIFD:ISO=3200 \
  -ExifIFD:ExposureProgram#=3 -ExifIFD:ExposureCompensation=-1/3 \
  -ExifIFD:FocalLength=35.0 -ExifIFD:Flash#=16 \
  -ExifIFD:SerialNumber=032021004711 -ExifIFD:OwnerName="Taro Suzuki" \
  -ExifIFD:LensMake=Canon -ExifIFD:LensModel="RF24-105mm F4 L IS USM" \
  -ExifIFD:LensSerialNumber=9214001234 -ExifIFD:LensInfo="24 105 4 4" \
  -ExifIFD:ColorSpace#=1 \
  "-ExifIFD:UserComment=のびすく ハロウィン 2026" \
  -GPS:GPSVersionID=2.3.0.0 \
  -GPS:GPSLatitude=35.6894 -GPS:GPSLatitudeRef=N \
  -GPS:GPSLongitude=139.6918 -GPS:GPSLongitudeRef=E \
  -GPS:GPSAltitude=38.5 -GPS:GPSAltitudeRef#=0 \
  -GPS:GPSDateStamp=2026:11:20 -GPS:GPSTimeStamp=02:05:40 \
  -GPS:GPSMapDatum=WGS-84 \
  "-ThumbnailImage<=$tmp/thumb14.jpg" \
  "-XMP-dc:Creator=鈴木 太郎 (Taro Suzuki)" \
  "-XMP-dc:Rights=Copyright (c) 2026 Taro Suzuki" \
  "-XMP-dc:Title=のびすく ハロウィン 2026" \
  "-XMP-dc:Subject=ハロウィン" "-XMP-dc:Subject=のびすく" "-XMP-dc:Subject=ロケット" \
  "-XMP-photoshop:City=新宿区" "-XMP-photoshop:State=東京都" \
  "-XMP-photoshop:Country=日本" \
  -XMP-photoshop:DateCreated="2026:11:20 11:05:40+09:00" \
  "-XMP-xmp:CreatorTool=Adobe Photoshop Lightroom Classic 13.0 (Windows)" \
  -XMP-xmp:CreateDate="2026:11:20 11:05:40+09:00" \
  -XMP-aux:SerialNumber=032021004711 \
  "-XMP-aux:Lens=RF24-105mm F4 L IS USM" \
  -IPTC:CodedCharacterSet=UTF8 \
  "-IPTC:By-line=鈴木 太郎 (Taro Suzuki)" \
  "-IPTC:City=新宿区" "-IPTC:Province-State=東京都" \
  "-IPTC:Country-PrimaryLocationName=日本" \
  "-IPTC:CopyrightNotice=(c) 2026 Taro Suzuki" \
  "-IPTC:Keywords=ハロウィン" "-IPTC:Keywords=のびすく" "-IPTC:Keywords=rocket" \
  -IPTC:DateCreated=2026:11:20 -IPTC:TimeCreated=11:05:40+09:00 \
  "-Comment=Nobisuku Halloween 2026 - photo by Taro Suzuki (camera body 032021004711)" \
  "$out/IMG_0014.JPG"

# -------------------------------------------------------- 4. IMG_0015.JPG --
# Chelsea the cat, 4:3 crop 400x300 at x=25, x7.5 -> 3000x2250, pixels converted
# sRGB -> Display P3 and the Display P3 profile (argyll-ref) embedded.
vips crop "$skdata/chelsea.png" "$tmp/c15.v" 25 0 400 300
vips resize "$tmp/c15.v" "$tmp/c15b.v" 7.5 --kernel lanczos3
vips icc_transform "$tmp/c15b.v" "$tmp/c15p3.v" "$p3icc" \
  --input-profile srgb --intent relative
jpeg "$tmp/c15p3.v" "$out/IMG_0015.JPG"
mapfile -t g < <(gps_args 35.6893 139.6915 39 04:20:11)
et "${g[@]}" \
  "-ICC_Profile<=$p3icc" \
  -IFD0:Make=samsung -IFD0:Model=SM-S911B \
  -IFD0:Software=S911BXXS6CXK1 -IFD0:Orientation#=1 \
  -IFD0:ModifyDate="2026:11:20 13:20:11" \
  -ExifIFD:DateTimeOriginal="2026:11:20 13:20:11" \
  -ExifIFD:CreateDate="2026:11:20 13:20:11" \
  -ExifIFD:OffsetTime=+09:00 -ExifIFD:OffsetTimeOriginal=+09:00 \
  -ExifIFD:ExposureTime=1/100 -ExifIFD:FNumber=1.8 -ExifIFD:ISO=250 \
  -ExifIFD:FocalLength=6.3 -ExifIFD:FocalLengthIn35mmFormat=24 \
  -ExifIFD:ColorSpace#=65535 \
  -ExifIFD:ImageUniqueID=D15LLKA00SM \
  "$out/IMG_0015.JPG"

# -------------------------------------------------------- 5. IMG_0016.JPG --
# Coffee, full frame 600x400, x5 -> 3000x2000. Only a few EXIF tags, no GPS.
vips resize "$skdata/coffee.png" "$tmp/k16.v" 5 --kernel lanczos3
jpeg "$tmp/k16.v" "$out/IMG_0016.JPG"
et -IFD0:Make=Apple -IFD0:Model="iPhone 13 mini" -IFD0:Orientation#=1 \
  -ExifIFD:DateTimeOriginal="2026:11:20 14:02:55" -ExifIFD:ColorSpace#=1 \
  -ExifIFD:OffsetTimeOriginal=+09:00 \
  -ExifIFD:ExposureTime=1/50 -ExifIFD:FNumber=1.6 -ExifIFD:ISO=320 \
  "$out/IMG_0016.JPG"

# -------------------------------------------------------- 6. IMG_0020.MOV --
# 3 s, 30 fps, 720x1280 (stored upright, no rotation matrix) slow zoom into
# the astronaut (9:16 crop 288x512 at x=80, lanczos3 x3.75 -> 1080x1920 first
# so that zoompan does not jitter), H.264 yuv420p + 440 Hz AAC tone.
vips crop "$skdata/astronaut.png" "$tmp/a20.v" 80 0 288 512
vips resize "$tmp/a20.v" "$tmp/a20b.v" 3.75 --kernel lanczos3
vips pngsave "$tmp/a20b.v" "$tmp/a20.png" --compression 1 --strip
ffmpeg -nostdin -hide_banner -loglevel error -y \
  -loop 1 -framerate 30 -i "$tmp/a20.png" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=3" \
  -filter_complex "[0:v]zoompan=z='1+0.15*on/89':x='(iw-iw/zoom)/2':y='(ih-ih/zoom)*0.25':d=1:s=720x1280:fps=30,format=yuv420p[v]" \
  -map '[v]' -map 1:a -t 3 \
  -c:v libx264 -preset slow -profile:v high -crf 23 -maxrate 2500k -bufsize 5000k \
  -g 30 -pix_fmt yuv420p -color_primaries bt709 -color_trc bt709 -colorspace bt709 \
  -c:a aac -b:a 96k -ac 1 \
  -f mov -movflags +use_metadata_tags+faststart \
  -metadata creation_time=2026-11-20T02:15:30.000000Z \
  -metadata location="+35.6895+139.6917+040.000/" \
  -metadata com.apple.quicktime.location.ISO6709="+35.6895+139.6917+040.000/" \
  -metadata com.apple.quicktime.make=Apple \
  -metadata com.apple.quicktime.model="iPhone 14" \
  -metadata com.apple.quicktime.software=19.1 \
  -metadata com.apple.quicktime.creationdate=2026-11-20T11:15:30+0900 \
  "$out/IMG_0020.MOV"
et -Keys:GPSCoordinates="35.6895 N, 139.6917 E, 40 m Above Sea Level" \
  -Keys:Make=Apple -Keys:Model="iPhone 14" \
  -UserData:GPSCoordinates="35.6895 N, 139.6917 E, 40 m Above Sea Level" \
  -UserData:Make=Apple -UserData:Model="iPhone 14" \
  "$out/IMG_0020.MOV"

# ------------------------------------------------------- 6b. IMG_0020.srt --
# The reel's subtitles (SubRip, UTF-8), in seconds of the clip.
cat > "$out/IMG_0020.srt" <<'SRT'
1
00:00:00,300 --> 00:00:01,400
宇宙飛行士になりきって

2
00:00:01,500 --> 00:00:02,800
はいポーズ！
SRT

# ---------------------------------------------------------- 7. shoot.json --
# Focus points are in upright (EXIF orientation applied) image coordinates,
# 0..1 from the top-left: feed-01 = the face in IMG_0012, carousel-01 = the
# face in IMG_0013, feed-02 = the cat's face in IMG_0015. reel-01 is
# IMG_0020.MOV with Japanese subtitles from IMG_0020.srt.
cat > "$out/shoot.json" <<'JSON'
{
  "version": 1,
  "shoot": "2026-11-20-nobisuku-halloween",
  "title": "のびすく ハロウィン 2026",
  "date": "2026-11-20",
  "posts": [
    {
      "id": "feed-01",
      "type": "feed",
      "template": "feed-report",
      "media": [
        { "file": "IMG_0012.HEIC", "focus": [0.5, 0.22] }
      ],
      "text": {
        "title": "のびすく ハロウィン 2026",
        "body": "11月20日（金）、少し遅めのハロウィンパーティーを開催しました。今年のテーマは「宇宙」。約60組の親子が参加してくれました！"
      },
      "caption": "11月20日（金）、のびすくで少し遅めのハロウィンパーティーを開催しました🎃\n今年のテーマは「宇宙」🚀 宇宙飛行士、黒ねこ、おばけなど、すてきな仮装の親子約60組が参加してくれました。\nご参加いただいた皆さま、ボランティアの皆さま、ありがとうございました！\n\n次回のイベント情報はプロフィールのリンクからご覧ください。\n\n#のびすく #ハロウィン #ハロウィン2026 #子育て支援 #親子イベント #子育てひろば",
      "alt": [
        "オレンジ色の宇宙服を着て笑顔を見せる女性。背景に星条旗とスペースシャトルの模型が飾られている。"
      ],
      "schedule": "2026-11-28T19:00:00+09:00",
      "collaborators": []
    },
    {
      "id": "feed-02",
      "type": "feed",
      "aspect": "1:1",
      "media": [
        { "file": "IMG_0015.JPG", "focus": [0.55, 0.6] }
      ],
      "caption": "スタッフの家のねこも、今日はハロウィン気分…？🐈\nのびすくのハロウィンパーティーでは、ねこの仮装がいちばん人気でした！みんなのかわいい「にゃー」に癒やされた一日です。\n\n#のびすく #ハロウィン #ねこ #子育て支援 #子育てひろば",
      "alt": [
        "緑色の目でこちらを見つめるトラ柄のねこの顔のアップ。"
      ],
      "schedule": "2026-11-29T12:00:00+09:00",
      "collaborators": []
    },
    {
      "id": "carousel-01",
      "type": "carousel",
      "template": "carousel-cover",
      "media": [
        { "file": "IMG_0013.JPG", "focus": [0.43, 0.2] },
        { "file": "IMG_0014.JPG" },
        { "file": "IMG_0015.JPG" },
        { "file": "IMG_0016.JPG" }
      ],
      "text": {
        "title": "ハロウィン フォトレポート",
        "body": "宇宙をテーマにした一日をふりかえります"
      },
      "caption": "ハロウィンパーティーの様子をフォトレポートでお届けします📸\n1枚目：宇宙飛行士の仮装で記念撮影\n2枚目：大きなスクリーンで見たロケット打ち上げの映像🚀\n3枚目：ねこの仮装コンテストの審査員長（？）🐈\n4枚目：保護者の皆さまにはホットコーヒーのサービスも☕\n\n来年もお楽しみに！\n\n#のびすく #ハロウィン #フォトレポート #子育て支援 #親子イベント",
      "alt": [
        "オレンジ色の宇宙服を着て笑顔で写る女性。左に星条旗、右にスペースシャトルの模型。",
        "夕暮れの空の下、照明に照らされて発射台に立つ白いロケットと鉄塔。",
        "緑色の目をしたトラ柄のねこの顔のアップ。",
        "木のテーブルに置かれた赤いカップとソーサーのエスプレッソ。スプーンが添えられている。"
      ],
      "schedule": "2026-11-30T19:00:00+09:00",
      "collaborators": []
    },
    {
      "id": "reel-01",
      "type": "reel",
      "template": "reel-basic",
      "media": [
        { "file": "IMG_0020.MOV" }
      ],
      "text": {
        "title": "のびすく ハロウィン"
      },
      "subtitles": "IMG_0020.srt",
      "cover": { "at": 1.5 },
      "caption": "宇宙飛行士になりきって、はいポーズ！👩‍🚀\nのびすくのハロウィンパーティーのひとコマです。\n\n#のびすく #ハロウィン #子育て支援 #リール",
      "schedule": "2026-12-01T19:00:00+09:00",
      "story_followup": true,
      "collaborators": []
    }
  ]
}
JSON
python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' \
  "$out/shoot.json"

# The account's settings (docs/post-json.md): who may approve posts for the
# city, and its zone. Made-up people.
cat > "$out/igprep.json" <<'JSON'
{
  "timezone": "Asia/Tokyo",
  "approvers": [
    { "name": "山田 花子", "role": "city" },
    { "name": "佐藤 一郎", "role": "agency" }
  ]
}
JSON

# ------------------------------------------------------------------ checks --
# Every output must be readable by the independent tools; print a summary.
for f in IMG_0012.HEIC IMG_0013.JPG IMG_0014.JPG IMG_0015.JPG IMG_0016.JPG; do
  vipsheader "$out/$f" >/dev/null
  exiftool -s3 -GPSPosition -Make -Model "$out/$f" >/dev/null
done
ffprobe -v error -show_entries stream=codec_name "$out/IMG_0020.MOV" >/dev/null
(cd "$out" && md5sum -- *)
du -sh "$out"
echo "make-samples: wrote $out"
