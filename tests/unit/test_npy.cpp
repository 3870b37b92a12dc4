#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "kiln/error.h"
#include "kiln/npy.h"

namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  fs::path dir = fs::temp_directory_path() / ("kiln_test_npy_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const kiln::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(Npy, HeaderIsWhatNumpyWrites) {
  // numpy.save(f, numpy.zeros((2, 3, 4), dtype='<f4')) writes exactly this header (numpy 1.24).
  const std::string h = kiln::npy_header(kiln::NpyType::F32, {2, 3, 4});
  ASSERT_EQ(h.size(), 128u);
  EXPECT_EQ(h.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_EQ(uint8_t(h[8]) | uint8_t(h[9]) << 8, 118);
  EXPECT_EQ(h.substr(10, 62), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }");
  EXPECT_EQ(h.back(), '\n');
  EXPECT_EQ(h.find_first_not_of(" ", 72), h.size() - 1);
  EXPECT_NE(kiln::npy_header(kiln::NpyType::U8, {5}).find("'descr': '|u1'"), std::string::npos);
  EXPECT_NE(kiln::npy_header(kiln::NpyType::U8, {5}).find("'shape': (5,)"), std::string::npos);
  EXPECT_NE(kiln::npy_header(kiln::NpyType::F16, {}).find("'shape': ()"), std::string::npos);
}

TEST(Npy, RoundtripEveryType) {
  const fs::path dir = temp_dir();
  for (uint32_t t = 0; t <= uint32_t(kiln::NpyType::F64); ++t) {
    const auto type = kiln::NpyType(t);
    const std::vector<uint64_t> shape = {3, 5, 2};
    std::vector<uint8_t> data(30 * kiln::npy_type_size(type));
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7 + t);
    const std::string path = (dir / (std::string(kiln::npy_type_name(type)) + ".npy")).string();
    kiln::write_npy(path, type, shape, data.data(), data.size());
    EXPECT_EQ(fs::file_size(path) % 64, data.size() % 64) << "data starts on a 64-byte boundary";
    const kiln::NpyArray a = kiln::read_npy(path);
    EXPECT_EQ(a.type, type);
    EXPECT_EQ(a.shape, shape);
    EXPECT_EQ(a.data, data) << kiln::npy_type_name(type);
  }
  fs::remove_all(dir);
}

TEST(Npy, WrongSizeNamesThePath) {
  const fs::path dir = temp_dir();
  const std::vector<uint8_t> data(10);
  const std::string message = error_of([&] {
    kiln::write_npy((dir / "bad.npy").string(), kiln::NpyType::U16, {2, 3}, data.data(), data.size());
  });
  EXPECT_NE(message.find("bad.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("12 bytes"), std::string::npos) << message;
  EXPECT_NE(error_of([&] { kiln::write_npy("/nonexistent/dir/x.npy", kiln::NpyType::U8, {1}, data.data(), 1); })
                .find("/nonexistent/dir/x.npy"),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(Npy, ReadRejectsOtherFiles) {
  const fs::path dir = temp_dir();
  const std::string path = (dir / "not.npy").string();
  std::ofstream(path) << "hello, not numpy at all";
  EXPECT_NE(error_of([&] { kiln::read_npy(path); }).find("not a .npy file"), std::string::npos);
  // A truncated data section is reported with the sizes.
  const std::vector<uint8_t> data(8);
  kiln::write_npy(path, kiln::NpyType::U32, {2}, data.data(), data.size());
  fs::resize_file(path, fs::file_size(path) - 3);
  EXPECT_NE(error_of([&] { kiln::read_npy(path); }).find("5 data bytes, expected 8"), std::string::npos);
  fs::remove_all(dir);
}
