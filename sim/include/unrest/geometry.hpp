// Planar geometry in metres: shapes of the scenario map and the small tests the world builder needs.
#pragma once

#include "unrest/location.hpp"

#include <Eigen/Core>

#include <string>
#include <vector>

namespace unrest {

using Vec2 = Eigen::Vector2d;

struct Shape {
  enum class Kind { Rect, Polygon, Circle, Polyline };
  Kind kind = Kind::Rect;
  std::vector<Vec2> points;  // Rect: {min, max}; Circle: {centre}; Polygon / Polyline: vertices
  double radius = 0.0;       // Circle
  double width = 0.0;        // Polyline: full width of the band around the line
  std::string name;
  Location where;  // where the scenario defined it, for errors found while building

  bool contains(const Vec2& p) const;
  // Axis-aligned bounding box {min, max}.
  std::pair<Vec2, Vec2> bounds() const;
  // Area in m2 and perimeter in m; for a polyline, those of its segments' bands with round ends (upper bounds
  // where the bands overlap).
  double area() const;
  double perimeter() const;
};

// z-component of the 2-D cross product: > 0 when b turns left of a.
inline double cross(const Vec2& a, const Vec2& b) { return a.x() * b.y() - a.y() * b.x(); }
// v without its part into an obstacle whose outward unit normal at the person is n and which moves at
// obstacleVelocity: a walker the velocity model steers may slide along it but not step into it.
inline Vec2 withoutPartInto(Vec2 v, const Vec2& n, const Vec2& obstacleVelocity = Vec2::Zero()) {
  const double into = -(v - obstacleVelocity).dot(n);
  if (into > 0.0) v += into * n;
  return v;
}

// Closest point on segment [a, b] to p, and its parameter t in [0, 1].
Vec2 closestPointOnSegment(const Vec2& p, const Vec2& a, const Vec2& b, double* t = nullptr);
bool pointInPolygon(const Vec2& p, const std::vector<Vec2>& polygon);
// Proper intersection of segments p0-p1 and q0-q1 (touching at an end counts; parallel segments never cross).
bool segmentsIntersect(const Vec2& p0, const Vec2& p1, const Vec2& q0, const Vec2& q1);

}  // namespace unrest
