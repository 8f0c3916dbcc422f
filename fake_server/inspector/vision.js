// Detection boxes and segmentation masks drawn over an image, as the guide draws them
// (docs/images.md; gemini_ref/_vision/overlays.py draws the same picture with Pillow): each
// entry a colour of its own, its mask (a PNG probability map resized into its box, a pixel in
// when its value is above 127) tinted at alpha 128, its box outlined and labelled above.
"use strict";

(function () {
  const I = (window.Inspector = window.Inspector || {});
  const SCALE = 1000; // box_2d is [ymin, xmin, ymax, xmax] in a 0-1000 frame
  const THRESHOLD = 127;
  const ALPHA = 128;
  const COLORS = [
    [230, 25, 75], [60, 180, 75], [0, 130, 200], [245, 130, 48],
    [145, 30, 180], [70, 240, 240], [240, 50, 230], [255, 225, 25],
  ];

  // The JSON inside a Markdown fence, or the text itself (gemini_ref/_vision/fences.py).
  function parseJson(text) {
    const lines = String(text).split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      if (/^```(json)?$/i.test(lines[i].trim())) return lines.slice(i + 1).join("\n").split("```")[0];
    }
    return text;
  }

  function validBox(box) {
    return Array.isArray(box) && box.length === 4
      && box.every((v) => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= SCALE)
      && box[0] < box[2] && box[1] < box[3];
  }

  // Every entry of a detection or segmentation answer with a valid box_2d, as the guide's loop.
  function detections(text) {
    if (typeof text !== "string" || !text.trim()) return [];
    let data;
    try { data = JSON.parse(parseJson(text)); } catch (_) { return []; }
    if (!Array.isArray(data)) return [];
    return data.filter((item) => item && typeof item === "object" && validBox(item.box_2d))
      .map((item) => ({
        box_2d: item.box_2d,
        label: typeof item.label === "string" ? item.label : null,
        mask: typeof item.mask === "string" ? item.mask : null,
      }));
  }

  // [ymin, xmin, ymax, xmax] to pixel edges {x1, y1, x2, y2}: floor(v * size / 1000).
  function toPixels(box, width, height) {
    const edge = (v, size) => Math.floor((v * size) / SCALE);
    return { x1: edge(box[1], width), y1: edge(box[0], height), x2: edge(box[3], width), y2: edge(box[2], height) };
  }

  function loadImage(src) {
    return new Promise((resolve, reject) => {
      const image = new Image();
      image.onload = () => resolve(image);
      image.onerror = () => reject(new Error("not a readable image"));
      image.src = src;
    });
  }

  // The mask's pixels over its box: a PNG probability map resized (bilinear) to the box,
  // read as grayscale the way Pillow's convert("L") reads colour.
  async function maskPixels(mask, width, height) {
    const src = mask.trim().startsWith("data:") ? mask.trim() : "data:image/png;base64," + mask.trim();
    const image = await loadImage(src);
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    context.imageSmoothingEnabled = true;
    context.imageSmoothingQuality = "low"; // bilinear
    context.drawImage(image, 0, 0, width, height);
    const rgba = context.getImageData(0, 0, width, height).data;
    const inside = new Uint8Array(width * height);
    for (let i = 0; i < inside.length; i++) {
      const gray = (rgba[4 * i] * 299 + rgba[4 * i + 1] * 587 + rgba[4 * i + 2] * 114) / 1000;
      inside[i] = gray > THRESHOLD ? 1 : 0;
    }
    return inside;
  }

  // Draws ``image`` on ``canvas`` at its own size, then each detection over it; returns how
  // many masks could not be read (they are left out, their boxes still drawn).
  async function draw(canvas, image, found) {
    const width = image.naturalWidth;
    const height = image.naturalHeight;
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0);
    const tint = context.createImageData(width, height);
    let unreadable = 0;
    for (const [index, item] of found.entries()) {
      const box = toPixels(item.box_2d, width, height);
      const w = box.x2 - box.x1;
      const h = box.y2 - box.y1;
      if (!item.mask || w <= 0 || h <= 0) continue;
      let inside;
      try { inside = await maskPixels(item.mask, w, h); } catch (_) { unreadable++; continue; }
      const color = COLORS[index % COLORS.length];
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          if (!inside[y * w + x]) continue;
          const at = 4 * ((box.y1 + y) * width + box.x1 + x);
          tint.data.set([color[0], color[1], color[2], ALPHA], at);
        }
      }
    }
    const layer = document.createElement("canvas");
    layer.width = width;
    layer.height = height;
    layer.getContext("2d").putImageData(tint, 0, 0);
    context.drawImage(layer, 0, 0);
    const line = Math.max(1, Math.floor(Math.min(width, height) / 250));
    context.font = "11px sans-serif";
    context.textBaseline = "top";
    for (const [index, item] of found.entries()) {
      const { x1, y1, x2, y2 } = toPixels(item.box_2d, width, height);
      const color = COLORS[index % COLORS.length];
      context.fillStyle = `rgb(${color[0]}, ${color[1]}, ${color[2]})`;
      const w = Math.max(1, x2 - x1);
      const h = Math.max(1, y2 - y1);
      // The outline inside the box's pixels, as Pillow's rectangle draws it: right and bottom
      // are edges, so the last pixel column is x2 - 1.
      context.fillRect(x1, y1, w, Math.min(line, h));
      context.fillRect(x1, Math.max(y1, y2 - line), w, Math.min(line, h));
      context.fillRect(x1, y1, Math.min(line, w), h);
      context.fillRect(Math.max(x1, x2 - line), y1, Math.min(line, w), h);
      if (item.label) context.fillText(item.label, x1 + line, Math.max(0, y1 - 12));
    }
    return unreadable;
  }

  I.vision = { COLORS, parseJson, detections, toPixels, loadImage, draw };
})();
