// Where the map is on the screen: a centre in metres and a scale in metres per pixel, with north up. Plain
// arithmetic, so tests can find where a point of the map lands in a screenshot.
#pragma once

#include <algorithm>

namespace unrest::render {

struct Camera {
  double centreX = 0, centreY = 0;  // m
  double metresPerPixel = 1.0;
  int width = 1280, height = 800;  // pixels

  // Shows the rectangle [x0, x1] x [y0, y1] whole, centred, with a small margin.
  static Camera fit(double x0, double y0, double x1, double y1, int width, int height) {
    Camera c;
    c.width = width;
    c.height = height;
    c.centreX = 0.5 * (x0 + x1);
    c.centreY = 0.5 * (y0 + y1);
    c.metresPerPixel = std::max((x1 - x0) / (0.96 * width), (y1 - y0) / (0.96 * height));
    return c;
  }
  double screenX(double x) const { return (x - centreX) / metresPerPixel + 0.5 * width; }
  double screenY(double y) const { return 0.5 * height - (y - centreY) / metresPerPixel; }
  double worldX(double sx) const { return centreX + (sx - 0.5 * width) * metresPerPixel; }
  double worldY(double sy) const { return centreY + (0.5 * height - sy) * metresPerPixel; }
  // Zooms by `factor` (> 1 closer) keeping the map point under pixel (sx, sy) where it is.
  void zoomAt(double sx, double sy, double factor) {
    const double wx = worldX(sx), wy = worldY(sy);
    metresPerPixel = std::clamp(metresPerPixel / factor, 1e-3, 1e3);
    centreX = wx - (sx - 0.5 * width) * metresPerPixel;
    centreY = wy - (0.5 * height - sy) * metresPerPixel;
  }
};

}  // namespace unrest::render
