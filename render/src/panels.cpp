// The text around the map: the HUD (clock, counts, injuries, speed, fps), the event feed, the legend, the
// inspector of a selected person and the help card.
#include "layers.hpp"

#include "unrest/yaml_reader.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>

namespace unrest::render {

namespace {

std::string printf(const char* format, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

// "Fri 9 Oct 2020 18:45:12" when the scenario has a date, else "18:45:12".
std::string clockText(const Scenario& sc, double time) {
  const double tod = sc.clock.startTimeOfDay + time;
  const std::string clock = formatClock(tod);
  const auto date = parseDate(sc.clock.date);
  if (!date) return clock;
  using namespace std::chrono;
  const year_month_day day{sys_days(*date) + days(static_cast<int>(std::floor(tod / 86400.0)))};
  static const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return printf("%s %u %s %d  %s", kWeekdays[weekday(sys_days(day)).c_encoding()], unsigned(day.day()),
                kMonths[unsigned(day.month()) - 1], int(day.year()), clock.c_str());
}

std::string speedText(double speed) { return speed > 0 ? printf("%gx", speed) : std::string("max"); }

}  // namespace

sf::Vector2f Panels::drawBox(sf::RenderTarget& target, const std::vector<Line>& lines, float x, float y, bool alignRight,
                             bool alignBottom, unsigned size) {
  text_.setFont(font_);
  text_.setCharacterSize(size);
  const float lineHeight = std::round(size * 1.35f), pad = 8;
  float width = 0;
  for (const Line& l : lines) {
    text_.setString(l.text);
    width = std::max(width, text_.getLocalBounds().width);
  }
  const sf::Vector2f box(width + 2 * pad, lines.size() * lineHeight + 2 * pad - (lineHeight - size));
  const float left = alignRight ? x - box.x : x, top = alignBottom ? y - box.y : y;
  sf::RectangleShape background(box);
  background.setPosition(left, top);
  background.setFillColor(kPanel);
  target.draw(background);
  for (std::size_t k = 0; k < lines.size(); ++k) {
    text_.setString(lines[k].text);
    text_.setFillColor(lines[k].colour);
    text_.setPosition(std::round(left + pad), std::round(top + pad + k * lineHeight - 0.2f * size));
    target.draw(text_);
  }
  return box;
}

void Panels::drawHud(sf::RenderTarget& target, const Viewer& viewer, const Snapshot& s, const FrameInfo& info,
                     Overlay overlay, int field, const World& world) {
  const Scenario& sc = viewer.scenario();
  std::vector<Line> lines;
  lines.push_back({sc.title.empty() ? sc.name : sc.title, sf::Color(255, 220, 150)});
  lines.push_back({clockText(sc, s.time) + printf("   t = %.1f / %.0f s", s.time, sc.clock.duration)});
  const char* state = s.finished ? "finished" : s.paused ? "paused" : "running";
  lines.push_back({printf("%s   speed %s (measured %.2fx)", state, speedText(info.requestedSpeed).c_str(), s.speed) +
                   (info.fps > 0 ? printf("   %.0f fps", info.fps) : std::string())});

  // Counts by faction (or population) and condition.
  bool anyFaction = false;
  for (std::size_t i = 0; i < s.size() && !anyFaction; ++i) anyFaction = s.faction[i] != kNoFaction;
  const bool byFaction = anyFaction && viewer.colourBy() == ColourBy::Faction;
  std::vector<std::string> rowNames;
  if (byFaction) {
    int top = 0;
    for (auto f : s.faction)
      if (f != kNoFaction) top = std::max(top, int(f) + 1);
    for (int f = 0; f < top; ++f) rowNames.push_back(viewer.factionName(f));
    rowNames.push_back("no faction");
  } else {
    for (const auto& p : sc.populations) rowNames.push_back(p.name);
  }
  std::vector<std::array<std::int64_t, kConditionCount>> counts(rowNames.size(), std::array<std::int64_t, kConditionCount>{});
  for (std::size_t i = 0; i < s.size(); ++i) {
    // Off the streets for now (off duty, gone home) or for good: counted on the line below, not as calm.
    if (s.state[i] == std::uint8_t(AgentState::Exited) || s.state[i] == std::uint8_t(AgentState::Away)) continue;
    std::size_t row = byFaction ? (s.faction[i] == kNoFaction ? rowNames.size() - 1 : s.faction[i]) : s.group[i];
    row = std::min(row, rowNames.size() - 1);
    ++counts[row][s.condition[i]];
  }
  lines.push_back({printf("%-22s %6s %6s %6s %6s %6s %6s %6s", byFaction ? "faction" : "population", "calm", "active",
                          "fight", "flee", "loot", "injur", "arrest"), sf::Color(180, 180, 180)});
  for (std::size_t r = 0; r < rowNames.size(); ++r) {
    const auto& c = counts[r];
    std::string name = rowNames[r].substr(0, 22);
    lines.push_back({printf("%-22s %6lld %6lld %6lld %6lld %6lld %6lld %6lld", name.c_str(), (long long)c[0], (long long)c[1],
                            (long long)c[2], (long long)c[3], (long long)c[4], (long long)c[5], (long long)c[6]),
                     !byFaction ? categoryColour(r) : r + 1 < rowNames.size() ? viewer.factionColour(int(r)) : kText});
  }
  std::string injuries;
  std::int64_t injuryTotal = 0;
  for (const auto& [cause, n] : s.injuriesByCause) {
    injuries += printf(" %s %lld", cause.c_str(), (long long)n);
    injuryTotal += n;
  }
  // Cumulative figures, as metrics.csv reports them; the table above already shows who is jailed or looting now.
  lines.push_back({printf("injuries %lld:%s   arrests %lld   looting incidents %lld (damage %.0f)", (long long)injuryTotal,
                          injuries.c_str(), (long long)s.row.arrests, (long long)s.row.lootingIncidents,
                          s.row.lootingDamage)});
  lines.push_back({printf("waiting to enter %lld   off the streets %lld   exited %lld", (long long)s.waiting,
                          (long long)s.row.byState[std::size_t(AgentState::Away)],
                          (long long)s.row.byState[std::size_t(AgentState::Exited)])});
  // The crowd pressure is coloured from where Helbing, Johansson and Al-Abideen saw turbulence set in (0.02 /s2).
  constexpr double kTurbulenceOnset = 0.02;
  lines.push_back({printf("peak density %.0f /m2   peak contact pressure %.0f N/m   crowd pressure %.3f /s2",
                          s.row.peakDensity, s.row.peakPressure, s.row.crowdPressure.pressure),
                   s.row.crowdPressure.pressure >= kTurbulenceOnset ? sf::Color(255, 150, 120) : kText});
  if (overlay != Overlay::None) {
    std::string name = overlayName(overlay);
    if (overlay == Overlay::Navigation && world.fieldCount() > 0)
      name += " to " + sc.map.zones[world.field(field).zone].name + "  (n: next destination)";
    lines.push_back({"overlay: " + name, sf::Color(255, 220, 150)});
  }
  lines.push_back({"h: keys", sf::Color(160, 160, 160)});
  text_.setFont(font_);
  drawBox(target, lines, 8, 8, false, false, 13);
}

void Panels::drawFeed(sf::RenderTarget& target, const Scenario& sc, const Snapshot& s) {
  std::vector<Line> lines{{"events", sf::Color(255, 220, 150)}};
  const std::size_t shown = 10;
  const std::size_t from = s.feed.size() > shown ? s.feed.size() - shown : 0;
  for (std::size_t k = s.feed.size(); k-- > from;) {
    const FeedItem& f = s.feed[k];
    lines.push_back({formatClock(sc.clock.startTimeOfDay + f.time) + "  " + f.text,
                     f.type == EventType::Injury ? sf::Color(255, 120, 120) : kText});
  }
  if (s.feed.empty()) lines.push_back({"(none yet)", sf::Color(160, 160, 160)});
  drawBox(target, lines, float(target.getSize().x) - 8, 8, true, false, 12);
}

void Panels::drawLegend(sf::RenderTarget& target, const Viewer& viewer, PeopleLayer& people, const Snapshot& s,
                        const OverlayLayer::Scale* scale) {
  const Scenario& sc = viewer.scenario();
  // Entries: a symbol drawer and a label, laid out in one column.
  struct Entry {
    std::string label;
    std::function<void(float, float)> symbol;
  };
  std::vector<Entry> entries;
  if (viewer.colourBy() == ColourBy::Population) {
    for (std::size_t p = 0; p < sc.populations.size(); ++p)
      entries.push_back({sc.populations[p].name, [&, p](float x, float y) { people.drawSymbol(target, x, y, 6, Role::Civilian, categoryColour(p), {}, false); }});
  } else {
    int top = 0;
    for (auto f : s.faction)
      if (f != kNoFaction) top = std::max(top, int(f) + 1);
    for (int f = 0; f < top; ++f)
      entries.push_back({viewer.factionName(f), [&, f](float x, float y) { people.drawSymbol(target, x, y, 6, Role::Civilian, viewer.factionColour(f), {}, false); }});
    entries.push_back({"no faction", [&](float x, float y) { people.drawSymbol(target, x, y, 6, Role::Civilian, kFactionless, {}, false); }});
    entries.push_back({"police, army (no faction)", [&](float x, float y) { people.drawSymbol(target, x, y, 6, Role::Police, kForces, {}, false); }});
  }
  for (int r = 0; r < kRoleCount; ++r)
    entries.push_back({roleName(Role(r)), [&, r](float x, float y) { people.drawSymbol(target, x, y, 6, Role(r), kFactionless, {}, false); }});
  for (Condition c : {Condition::Active, Condition::Fighting, Condition::Fleeing, Condition::Looting})
    entries.push_back({conditionName(c), [&, c](float x, float y) { people.drawSymbol(target, x, y, 6, Role::Civilian, kFactionless, conditionRing(c), false); }});
  entries.push_back({"injured", [&](float x, float y) { people.drawSymbol(target, x, y, 6, Role::Civilian, kFactionless, {}, true); }});
  entries.push_back({"arrested", [&](float x, float y) { people.drawSymbol(target, x, y, 6, Role::Civilian, kArrestedBody, {}, false); }});
  auto rect = [&](sf::Color fill, float w, float h) {
    return [&target, fill, w, h](float x, float y) {
      sf::RectangleShape r({w, h});
      r.setOrigin(w / 2, h / 2);
      r.setPosition(x, y);
      r.setFillColor(fill);
      r.setOutlineColor(sf::Color::Black);
      r.setOutlineThickness(1);
      target.draw(r);
    };
  };
  entries.push_back({"armoured vehicle", rect(kArmoured, 16, 8)});
  entries.push_back({"car", rect(kCar, 14, 7)});
  entries.push_back({"checkpoint barrier", rect(kBarrierRed, 16, 4)});
  entries.push_back({"street / square", rect(kStreet, 14, 10)});
  entries.push_back({"building", rect(kBuilding, 14, 10)});
  entries.push_back({"block (not walkable)", rect(kBlock, 14, 10)});

  std::vector<Line> lines{{"legend (l hides)", sf::Color(255, 220, 150)}};
  for (const Entry& e : entries) lines.push_back({"      " + e.label});
  if (scale) lines.push_back({""}), lines.push_back({""}), lines.push_back({""});
  const float bottom = float(target.getSize().y) - 8 - bottomReserve_;
  const sf::Vector2f box = drawBox(target, lines, 8, bottom, false, true, 12);
  const float top = bottom - box.y, lineHeight = std::round(12 * 1.35f);
  for (std::size_t k = 0; k < entries.size(); ++k) entries[k].symbol(18, top + 8 + (k + 1) * lineHeight + 6);
  if (scale) {
    // The overlay's colour ramp with its range and mark.
    const float x0 = 16, x1 = box.x - 16, y = top + 8 + (entries.size() + 1.3f) * lineHeight;
    sf::VertexArray ramp(sf::Quads);
    for (int k = 0; k < 64; ++k) {
      const float a = x0 + (x1 - x0) * k / 64, b = x0 + (x1 - x0) * (k + 1) / 64;
      const sf::Color c = heatColour((k + 0.5) / 64);
      for (auto [px, py] : {std::pair{a, y}, {b, y}, {b, y + 10}, {a, y + 10}}) ramp.append(sf::Vertex({px, py}, c));
    }
    target.draw(ramp);
    text_.setCharacterSize(11);
    text_.setFillColor(kText);
    text_.setString(printf("%s: 0 .. %.4g %s", scale->label, scale->top, scale->unit));
    text_.setPosition(x0, y + 12);
    target.draw(text_);
    if (scale->mark > 0) {
      const float mx = x0 + (x1 - x0) * float(scale->mark / scale->top);
      sf::RectangleShape tick({2, 16});
      tick.setPosition(mx - 1, y - 3);
      tick.setFillColor(sf::Color::White);
      target.draw(tick);
      text_.setString(scale->markLabel);
      text_.setPosition(mx + 3, y - 14);
      target.draw(text_);
    }
  }
}

void Panels::drawInspector(sf::RenderTarget& target, const Viewer& viewer, const Snapshot& s, std::uint32_t id, const World& world) {
  const Scenario& sc = viewer.scenario();
  std::size_t i = s.size();
  for (std::size_t k = 0; k < s.size(); ++k)
    if (s.id[k] == id) i = k;
  std::vector<Line> lines{{printf("person #%u  (f: follow, Esc: release)", id), sf::Color(0, 255, 255)}};
  if (i == s.size() || s.state[i] == std::uint8_t(AgentState::Exited)) {
    lines.push_back({"has left the map"});
  } else {
    static const char* kStates[] = {"walking", "arrived", "injured", "exited", "jailed"};
    const PopulationDef& pop = sc.populations[s.group[i]];
    const int zone = s.field[i] < world.fieldCount() ? world.field(s.field[i]).zone : -1;
    lines.push_back({"population " + pop.name + "   role " + roleName(s.roleOf(i))});
    lines.push_back({"faction " + (s.faction[i] == kNoFaction ? std::string("none") : viewer.factionName(s.faction[i])) +
                     "   state " + kStates[std::min<int>(s.state[i], kAgentStateCount - 1)] + "   condition " +
                     conditionName(Condition(s.condition[i]))});
    lines.push_back({"destination " + (zone >= 0 ? sc.map.zones[zone].name : std::string("?")) + "   on arrival " +
                     (pop.onArrival == OnArrival::Leave ? "leave" : pop.onArrival == OnArrival::Stay ? "stay" : "wander")});
    lines.push_back({printf("position (%.1f, %.1f) m   speed %.2f m/s   desired v0 %.2f m/s", s.x[i], s.y[i],
                            std::hypot(s.vx[i], s.vy[i]), s.desiredSpeed[i])});
    lines.push_back({printf("radius %.3f m   contact pressure %.0f N/m (crush at %.0f)   fear %.2f", s.radius[i],
                            s.pressure[i], sc.harm.injuryPressure, s.fear[i])});
  }
  drawBox(target, lines, float(target.getSize().x) - 8, float(target.getSize().y) - 8 - bottomReserve_, true, true, 12);
}

sf::FloatRect Panels::timelineRect(sf::Vector2u size) {
  return {8, float(size.y) - 8 - kTimelineHeight, float(size.x) - 16, kTimelineHeight};
}

void Panels::drawTimeline(sf::RenderTarget& target, const Scenario& sc, double time, double end, bool backwards) {
  const sf::FloatRect r = timelineRect(target.getSize());
  sf::RectangleShape box({r.width, r.height});
  box.setPosition(r.left, r.top);
  box.setFillColor(kPanel);
  target.draw(box);
  // The track, the part played, and a tick every ten minutes of the clock.
  const float x0 = r.left + 150, x1 = r.left + r.width - 150, y = r.top + r.height / 2;
  const float at = end > 0 ? x0 + float(std::clamp(time / end, 0.0, 1.0)) * (x1 - x0) : x0;
  sf::RectangleShape track({x1 - x0, 4});
  track.setPosition(x0, y - 2);
  track.setFillColor(sf::Color(90, 90, 90));
  target.draw(track);
  sf::RectangleShape played({at - x0, 4});
  played.setPosition(x0, y - 2);
  played.setFillColor(sf::Color(255, 220, 150));
  target.draw(played);
  for (double t = std::ceil(sc.clock.startTimeOfDay / 600.0) * 600.0 - sc.clock.startTimeOfDay; end > 0 && t <= end; t += 600.0) {
    sf::RectangleShape tick({1, 10});
    tick.setPosition(std::round(x0 + float(t / end) * (x1 - x0)), y - 5);
    tick.setFillColor(sf::Color(160, 160, 160));
    target.draw(tick);
  }
  sf::CircleShape knob(7);
  knob.setOrigin(7, 7);
  knob.setPosition(at, y);
  knob.setFillColor(sf::Color(255, 220, 150));
  target.draw(knob);
  text_.setFont(font_);
  text_.setCharacterSize(12);
  text_.setFillColor(kText);
  text_.setString(std::string(backwards ? "<< " : "") + "replay  " + formatClock(sc.clock.startTimeOfDay + time));
  text_.setPosition(std::round(r.left + 8), std::round(y - 8));
  target.draw(text_);
  text_.setString(formatClock(sc.clock.startTimeOfDay + end));
  text_.setPosition(std::round(x1 + 12), std::round(y - 8));
  target.draw(text_);
}

std::optional<double> Panels::timelineTimeAt(sf::Vector2u size, double end, float x, float y, bool anywhereAlong) {
  const sf::FloatRect r = timelineRect(size);
  const float x0 = r.left + 150, x1 = r.left + r.width - 150;
  if (!anywhereAlong && !r.contains(x, y)) return std::nullopt;
  return end * double(std::clamp((x - x0) / (x1 - x0), 0.0f, 1.0f));
}

void Panels::drawHelp(sf::RenderTarget& target, bool interventions) {
  std::vector<Line> lines{
      {"keys", sf::Color(255, 220, 150)},
      {"space        pause / run"},
      {". or right   one step (pauses)"},
      {"+ / -        faster / slower (0.25x ... max)"},
      {"m            as fast as the machine can"},
      {"wheel        zoom at the cursor;  drag: pan;  arrows: pan"},
      {"z or home    whole map"},
      {"click        inspect a person;  f: follow;  esc: release"},
      {"1 2 3 4      overlays: density, contact pressure, fear, navigation field"},
      {"0            no overlay;  n / b: next / previous destination"},
      {"c            colour by faction / population"},
      {"l            legend;  tab: all panels"},
      {"p or F12     screenshot (PNG in the output folder)"},
      {"h            this card;  q: quit"},
  };
  if (interventions) {
    lines.insert(lines.end(), {
        {"interventions (from the next whole second at least 1 s ahead; kept in interventions.yaml)", sf::Color(255, 220, 150)},
        {"w / s        withdraw the police / send them back (over a minute)"},
        {"[ / ]        lower / raise legitimacy by 0.1 for the target"},
        {"t            next target: everyone, each faction, each population"},
        {"d            the army deploys (checkpoints close, soldiers arrive)"},
        {"u            curfew for an hour"},
        {"g, click     mode: shots at the clicked place"},
        {"k, click     mode: the nearest checkpoint's barrier closes, or lifts if closed"},
        {"y, click     mode: the target rallies to the zone clicked (soldiers too, unless on patrol)"},
        {"esc          leave the mode;  backspace: undo the last intervention not yet in effect"},
    });
  } else {
    lines.push_back({"replays      , or left: one frame back;  r or backspace: backwards / forwards;  click or drag the timeline: seek"});
  }
  const sf::Vector2u size = target.getSize();
  drawBox(target, lines, float(size.x) / 2 - 220, float(size.y) / 2 - (interventions ? 230 : 150), false, false, 14);
}

void Panels::drawInterventions(sf::RenderTarget& target, const Scenario& sc, const Snapshot& s, const FrameInfo& info) {
  std::vector<Line> lines{{"interventions   target: " + info.interventionTarget, sf::Color(255, 220, 150)}};
  lines.push_back(info.interventionTool.empty() ? Line{"click: inspect a person   (h: the keys)", sf::Color(160, 160, 160)}
                                                : Line{"click: " + info.interventionTool + "   (esc: leave the mode)", sf::Color(0, 255, 255)});
  if (!s.interventionNote.empty())
    lines.push_back({s.interventionNote, s.interventionNote.rfind("refused", 0) == 0 ? sf::Color(255, 150, 120) : kText});
  constexpr std::size_t kShown = 8;
  const std::size_t from = s.interventions.size() > kShown ? s.interventions.size() - kShown : 0;
  bool pending = false;
  for (std::size_t k = from; k < s.interventions.size(); ++k) {
    const ScheduledIntervention& i = s.interventions[k];
    pending = pending || !i.applied;
    lines.push_back({formatClock(sc.clock.startTimeOfDay + i.time) + (i.applied ? "  applied  " : "  pending  ") + i.label,
                     i.applied ? kText : sf::Color(255, 220, 150)});
  }
  if (pending) lines.push_back({"backspace: undo the last pending", sf::Color(160, 160, 160)});
  drawBox(target, lines, std::round(float(target.getSize().x) * 0.4f), float(target.getSize().y) - 8 - bottomReserve_, false, true, 12);
}

}  // namespace unrest::render
