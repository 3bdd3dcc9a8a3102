#include <gtest/gtest.h>

#include "scanner/probes/common/product_version.h"

namespace ciiscope::scanner {
namespace {

TEST(ProductVersionTest, DebianOpenSsh) {
  ProductVersion pv = NormalizeSshSoftware("OpenSSH_9.2p1", "Debian-2+deb12u3");
  EXPECT_EQ(pv.product, "OpenSSH");
  EXPECT_EQ(pv.version, "9.2p1");
  EXPECT_EQ(pv.distro, "Debian-2+deb12u3");
  EXPECT_EQ(pv.cpe, "cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*");
}

TEST(ProductVersionTest, UbuntuAndPlainComments) {
  EXPECT_EQ(NormalizeSshSoftware("OpenSSH_8.9p1", "Ubuntu-3ubuntu0.10").distro,
            "Ubuntu-3ubuntu0.10");
  // A comment that is not a distribution package is not a patch level.
  EXPECT_EQ(NormalizeSshSoftware("OpenSSH_9.6", "campus bastion").distro, "");
  ProductVersion glued = NormalizeSshSoftware("OpenSSH_7.4p1-hpn14v15", "");
  EXPECT_EQ(glued.version, "7.4p1");
  EXPECT_EQ(glued.distro, "hpn14v15");
}

TEST(ProductVersionTest, DropbearAndUnknownSoftware) {
  ProductVersion d = NormalizeSshSoftware("dropbear_2022.83", "");
  EXPECT_EQ(d.product, "Dropbear");
  EXPECT_EQ(d.version, "2022.83");
  EXPECT_EQ(d.cpe, "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2022.83:*:*:*:*:*:*:*");
  ProductVersion c = NormalizeSshSoftware("Cisco-1.25", "");
  EXPECT_EQ(c.product, "Cisco-1.25");
  EXPECT_EQ(c.version, "");
  EXPECT_EQ(c.cpe, "");
}

TEST(ProductVersionTest, MysqlAndMariadb) {
  ProductVersion m = NormalizeMysqlVersion("5.5.5-10.11.6-MariaDB-0+deb12u1");
  EXPECT_EQ(m.product, "MariaDB");
  EXPECT_EQ(m.version, "10.11.6");
  EXPECT_EQ(m.distro, "0+deb12u1");
  EXPECT_EQ(m.cpe, "cpe:2.3:a:mariadb:mariadb:10.11.6:*:*:*:*:*:*:*");
  ProductVersion o = NormalizeMysqlVersion("8.0.36-0ubuntu0.22.04.1");
  EXPECT_EQ(o.product, "MySQL");
  EXPECT_EQ(o.version, "8.0.36");
  EXPECT_EQ(o.distro, "0ubuntu0.22.04.1");
  EXPECT_EQ(NormalizeMysqlVersion("11.4.2-MariaDB").version, "11.4.2");
}

TEST(ProductVersionTest, CpeEscapesAndUnknowns) {
  EXPECT_EQ(CpeFor("nginx", "1.22.1"), "cpe:2.3:a:f5:nginx:1.22.1:*:*:*:*:*:*:*");
  EXPECT_EQ(CpeFor("Apache httpd", "2.4.57"), "cpe:2.3:a:apache:http_server:2.4.57:*:*:*:*:*:*:*");
  EXPECT_EQ(CpeFor("vsftpd", "3.0.3+x"), "cpe:2.3:a:beasts:vsftpd:3.0.3\\+x:*:*:*:*:*:*:*");
  EXPECT_EQ(CpeFor("nginx", ""), "");
  EXPECT_EQ(CpeFor("zfsoft", "1.0"), "");
}

}  // namespace
}  // namespace ciiscope::scanner
