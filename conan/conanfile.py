# Dependencies for building concierge outside Debian, with Conan 2:
#   conan install conan --output-folder=build/conan --build=missing
#   cmake -S . -B build/release -DCMAKE_TOOLCHAIN_FILE=build/conan/conan_toolchain.cmake
# The project's own scripts use Debian's packages (scripts/install-deps.sh); this file declares
# the same libraries at the versions Debian 12 ships. It is not exercised here: the machines that
# build and test concierge reach no Conan remote.
from conan import ConanFile
from conan.tools.cmake import cmake_layout


class ConciergeDependencies(ConanFile):
    settings = "os", "arch", "compiler", "build_type"
    generators = "CMakeDeps", "CMakeToolchain"

    def requirements(self):
        self.requires("boost/1.74.0")       # Boost.DLL (plugin loading), Boost.Program_options (argv)
        self.requires("poco/1.11.0")        # JSON now; Net, NetSSL for the Zabbix and Docker clients
        self.requires("sqlite3/3.40.1")     # run history
        self.requires("zstd/1.5.4")         # artifact compression
        self.requires("fmt/9.1.0")          # formatting
        self.requires("openssl/3.0.19")     # TLS under POCO NetSSL

    def build_requirements(self):
        self.test_requires("gtest/1.12.1")

    def configure(self):
        self.options["poco"].enable_netssl = True
        self.options["poco"].enable_json = True

    def layout(self):
        cmake_layout(self, src_folder="..")
