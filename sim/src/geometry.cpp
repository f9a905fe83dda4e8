#include "unrest/geometry.hpp"

#include <algorithm>
#include <cmath>

namespace unrest {

Vec2 closestPointOnSegment(const Vec2& p, const Vec2& a, const Vec2& b, double* t) {
  const Vec2 ab = b - a;
  const double len2 = ab.squaredNorm();
  double s = len2 > 0.0 ? (p - a).dot(ab) / len2 : 0.0;
  s = std::clamp(s, 0.0, 1.0);
  if (t) *t = s;
  return a + s * ab;
}

bool segmentsIntersect(const Vec2& p0, const Vec2& p1, const Vec2& q0, const Vec2& q1) {
  const Vec2 r = p1 - p0, s = q1 - q0;
  const double denom = cross(r, s);
  if (std::abs(denom) < 1e-15) return false;  // parallel: a body cannot slip through a parallel wall
  const double t = cross(q0 - p0, s) / denom, u = cross(q0 - p0, r) / denom;
  return t >= 0.0 && t <= 1.0 && u >= 0.0 && u <= 1.0;
}

bool pointInPolygon(const Vec2& p, const std::vector<Vec2>& polygon) {
  // Crossing-number test; the half-open edge rule makes shared edges belong to exactly one polygon.
  bool inside = false;
  const std::size_t n = polygon.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const Vec2& a = polygon[i];
    const Vec2& b = polygon[j];
    if ((a.y() > p.y()) != (b.y() > p.y())) {
      const double xCross = a.x() + (p.y() - a.y()) * (b.x() - a.x()) / (b.y() - a.y());
      if (p.x() < xCross) inside = !inside;
    }
  }
  return inside;
}

bool Shape::contains(const Vec2& p) const {
  switch (kind) {
    case Kind::Rect:
      return p.x() >= points[0].x() && p.x() <= points[1].x() && p.y() >= points[0].y() && p.y() <= points[1].y();
    case Kind::Circle:
      return (p - points[0]).squaredNorm() <= radius * radius;
    case Kind::Polygon:
      return pointInPolygon(p, points);
    case Kind::Polyline: {
      const double half2 = 0.25 * width * width;
      for (std::size_t i = 0; i + 1 < points.size(); ++i)
        if ((p - closestPointOnSegment(p, points[i], points[i + 1])).squaredNorm() <= half2) return true;
      return false;
    }
  }
  return false;
}

double Shape::area() const {
  switch (kind) {
    case Kind::Rect:
      return (points[1] - points[0]).prod();
    case Kind::Circle:
      return M_PI * radius * radius;
    case Kind::Polygon: {
      double twice = 0.0;
      for (std::size_t i = 0, j = points.size() - 1; i < points.size(); j = i++) twice += cross(points[j], points[i]);
      return 0.5 * std::abs(twice);
    }
    case Kind::Polyline: {
      double length = 0.0;
      for (std::size_t i = 0; i + 1 < points.size(); ++i) length += (points[i + 1] - points[i]).norm();
      return length * width + M_PI * 0.25 * width * width;
    }
  }
  return 0.0;
}

double Shape::perimeter() const {
  double length = 0.0;
  switch (kind) {
    case Kind::Rect:
      return 2.0 * (points[1] - points[0]).sum();
    case Kind::Circle:
      return 2.0 * M_PI * radius;
    case Kind::Polygon:
      for (std::size_t i = 0, j = points.size() - 1; i < points.size(); j = i++) length += (points[i] - points[j]).norm();
      return length;
    case Kind::Polyline:
      for (std::size_t i = 0; i + 1 < points.size(); ++i) length += (points[i + 1] - points[i]).norm();
      return 2.0 * length + M_PI * width;
  }
  return 0.0;
}

std::pair<Vec2, Vec2> Shape::bounds() const {
  switch (kind) {
    case Kind::Rect:
      return {points[0], points[1]};
    case Kind::Circle:
      return {points[0].array() - radius, points[0].array() + radius};
    case Kind::Polygon:
    case Kind::Polyline: {
      Vec2 lo = points[0], hi = points[0];
      for (const auto& p : points) {
        lo = lo.cwiseMin(p);
        hi = hi.cwiseMax(p);
      }
      const double pad = kind == Kind::Polyline ? 0.5 * width : 0.0;
      return {lo.array() - pad, hi.array() + pad};
    }
  }
  return {Vec2::Zero(), Vec2::Zero()};
}

}  // namespace unrest
