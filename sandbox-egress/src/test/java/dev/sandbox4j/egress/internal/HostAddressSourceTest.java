package dev.sandbox4j.egress.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandbox4j.egress.Cidr;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostAddressSourceTest {

    @Test
    void localInterfacesListEveryAddressOfEveryInterfaceAsASingleHost() throws Exception {
        List<Cidr> local = HostAddressSource.localInterfaces();

        assertThat(local).contains(Cidr.parse("127.0.0.1/32"));
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            ni.inetAddresses().filter(Inet4Address.class::isInstance).forEach(a ->
                    assertThat(local).contains(Cidr.parse(a.getHostAddress() + "/32")));
        }
        assertThat(local).allSatisfy(c -> assertThat(c.toString()).doesNotContain("%").matches(".*/(32|128)"));
    }

    @Test
    void aFixedSourceKeepsACopy() {
        List<Cidr> networks = new java.util.ArrayList<>(List.of(Cidr.parse("10.1.0.0/16")));
        HostAddressSource source = HostAddressSource.of(networks);
        networks.clear();

        assertThat(source.hostAddresses()).containsExactly(Cidr.parse("10.1.0.0/16"));
    }
}
