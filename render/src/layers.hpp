// The viewer's layers, each drawing one thing: the map, the people (and vehicles and checkpoints), the overlays
// and the panels. Private to render/.
#pragma once

#include <optional>

#include "unrest/render/viewer.hpp"

#include <SFML/Graphics.hpp>

#include <array>
#include <vector>

namespace unrest::render {

// A view of the map in metres, north up, matching the camera.
sf::View worldView(const Camera& c);
// A textured quad covering [x0, x1] x [y0, y1] in metres with a texture whose first row is the north edge.
void addWorldQuad(sf::VertexArray& va, float x0, float y0, float x1, float y1, sf::Vector2u textureSize);

class MapLayer {
public:
  MapLayer(const Scenario& scenario, const World& world);
  void draw(sf::RenderTarget& target, const Camera& camera);
  void drawLabels(sf::RenderTarget& target, const Camera& camera, const sf::Font& font);

private:
  struct Label {
    std::string name;
    double x, y;        // anchor, m
    double extent;      // size of the zone, m
  };
  sf::Texture raster_;
  sf::VertexArray rasterQuad_{sf::Quads};
  sf::VertexArray bounds_{sf::LineStrip};
  std::vector<WallSegment> walls_;
  sf::VertexArray wallLines_{sf::Lines};
  sf::VertexArray zoneLines_{sf::Lines};
  std::vector<Label> labels_;
};

class PeopleLayer {
public:
  PeopleLayer();
  // When `base` is given (the map as pixels, the camera's size) and the people are splatted, they are splatted onto
  // a copy of it and the whole is drawn opaque in one pass; the caller then skips drawing the map.
  DrawStats draw(sf::RenderTarget& target, const Camera& camera, const Snapshot& s, const Viewer& viewer,
                 PeopleDetail detail, std::optional<std::uint32_t> selected, const sf::Image* base = nullptr);
  static bool splats(const Camera& camera, const Snapshot& s, PeopleDetail detail);
  // The role symbols and condition marks of the legend, drawn at (x, y) pixels with half-size h.
  void drawSymbol(sf::RenderTarget& target, float x, float y, float h, Role role, sf::Color fill,
                  std::optional<sf::Color> ring, bool injured);

private:
  void addSprite(sf::VertexArray& va, float x, float y, float h, int cell, sf::Color colour) const;
  void splat(const Camera& camera, const Snapshot& s, const Viewer& viewer, const sf::Image* base, std::size_t& drawn);
  void drawVehicles(sf::RenderTarget& target, const Camera& camera, const Snapshot& s);
  void drawCheckpoints(sf::RenderTarget& target, const Camera& camera, const Snapshot& s, const sf::Font& font);

  sf::Texture atlas_;
  sf::VertexArray bodies_{sf::Quads}, marks_{sf::Quads}, shapes_{sf::Quads}, lines_{sf::Lines};
  // The symbols at n x n pixels, as coverage masks, made when first needed.
  const std::uint8_t* mask(int n, int cell);
  void blit(int x0, int y0, int n, int cell, sf::Color colour, int width, int height);
  std::vector<std::vector<std::uint8_t>> masks_;
  std::vector<std::uint32_t> pixels_;  // the splat layer, RGBA
  sf::Texture splatTexture_;
};

class OverlayLayer {
public:
  OverlayLayer(const Scenario& scenario, const World& world);
  void draw(sf::RenderTarget& target, const Camera& camera, const Snapshot& s, Overlay overlay, int field);
  // The colour scale of an overlay: label, value at the top of the scale, unit, and a marked value (0: none).
  struct Scale {
    const char* label;
    double top;
    const char* unit;
    double mark;
    const char* markLabel;
  };
  Scale scale(Overlay overlay, int field) const;

private:
  void updateCells(const Snapshot& s, Overlay overlay);
  void updateField(int field);

  const Scenario& scenario_;
  const World& world_;
  Grid cells_;
  std::vector<double> walkableArea_;
  std::vector<float> sum_;
  std::vector<std::uint32_t> count_;
  sf::Image cellImage_;
  sf::Texture cellTexture_;
  std::int64_t cellsStep_ = -2;
  Overlay cellsOverlay_ = Overlay::None;
  sf::Texture fieldTexture_;
  int fieldShown_ = -1;
  std::vector<double> fieldTop_;  // largest finite arrival time per field, m
  sf::VertexArray quad_{sf::Quads}, arrows_{sf::Lines};
};

class Panels {
public:
  explicit Panels(const sf::Font& font) : font_(font) {}
  void drawHud(sf::RenderTarget& target, const Viewer& viewer, const Snapshot& s, const FrameInfo& info, Overlay overlay,
               int field, const World& world);
  void drawFeed(sf::RenderTarget& target, const Scenario& sc, const Snapshot& s);
  void drawLegend(sf::RenderTarget& target, const Viewer& viewer, PeopleLayer& people, const Snapshot& s,
                  const OverlayLayer::Scale* scale);
  void drawInspector(sf::RenderTarget& target, const Viewer& viewer, const Snapshot& s, std::uint32_t id, const World& world);
  void drawHelp(sf::RenderTarget& target, bool interventions);
  // A live run's interventions: the target, the armed tool, what became of the last request, and the list.
  void drawInterventions(sf::RenderTarget& target, const Scenario& sc, const Snapshot& s, const FrameInfo& info);
  // A replay's timeline bar along the bottom: the time played of `end`, ticks every ten minutes of the clock.
  void drawTimeline(sf::RenderTarget& target, const Scenario& sc, double time, double end, bool backwards);
  static constexpr float kTimelineHeight = 28;
  static sf::FloatRect timelineRect(sf::Vector2u size);
  // The time at pixel (x, y) when it lies on the bar (or anywhere along it while dragging).
  static std::optional<double> timelineTimeAt(sf::Vector2u size, double end, float x, float y, bool anywhereAlong);
  // Pixels kept free at the bottom (for the timeline) by the boxes anchored there.
  void setBottomReserve(float pixels) { bottomReserve_ = pixels; }

  // A box of text lines at (x, y) pixels, anchored at a corner; returns its size.
  struct Line {
    std::string text;
    sf::Color colour = kText;
  };
  sf::Vector2f drawBox(sf::RenderTarget& target, const std::vector<Line>& lines, float x, float y, bool alignRight,
                       bool alignBottom, unsigned size = 13);

private:
  const sf::Font& font_;
  sf::Text text_;
  float bottomReserve_ = 0;
};

}  // namespace unrest::render
