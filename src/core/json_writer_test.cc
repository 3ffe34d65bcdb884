#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cbit {
namespace {

TEST(JsonWriterTest, EscapesWhatJsonRequiresAndKeepsTheRest) {
  JsonWriter w;
  w.BeginArray();
  w.String("plain");
  w.String("");
  w.String("a\"b\\c\nd\re\tf");
  w.String(std::string("\x01x\x1f", 3));
  w.String("\"lead and trail\\");
  w.String("ünïcødé €");
  w.EndArray();
  EXPECT_EQ(w.Take(), R"(["plain", "", "a\"b\\c\nd\re\tf", "\u0001x\u001f", "\"lead and trail\\", )"
                      "\"ünïcødé €\"]");
}

TEST(JsonWriterTest, WhatItWritesReadsBackTheSame) {
  std::string all;
  for (int c = 1; c < 128; ++c) all += static_cast<char>(c);
  JsonWriter w;
  w.BeginObject();
  w.Key("k\"ey");
  w.String(all);
  w.EndObject();
  auto j = nlohmann::json::parse(w.Take());
  EXPECT_EQ(j.at("k\"ey").get<std::string>(), all);
}

}  // namespace
}  // namespace cbit
