/* An entitlement test (user/tests/entitle.sh): the ID table the manifest
 * names (MODULE_DEVICE_TABLE) lists a device that does not exist, while
 * the pci_driver's own table matches QEMU's edu. The PCI core must refuse
 * to probe edu for it ("no entitlement pci:1234:11e8") and the module's
 * init fails with pci_register_driver's -EPERM. */
#include "drivers/pci/pci.h"
#include "kernel/module.h"

MODULE_NAME("entbind");
MODULE_VERSION("1");
MODULE_LICENSE("GPL");

/* used: nothing refers to it but the .modinfo string naming it */
static const struct pci_device_id entbind_declared[] __attribute__((used)) = {
	{ PCI_DEVICE(0x1234, 0x0001) },		/* what the signature grants */
	{ 0 }
};
MODULE_DEVICE_TABLE(pci, entbind_declared);

static const struct pci_device_id entbind_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },		/* what the driver asks for: edu */
	{ 0 }
};

static int entbind_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	pr_err("entbind: probed %s, which the manifest does not grant\n", pci_name(pdev));
	return 0;
}

static void entbind_remove(struct pci_dev *pdev)
{
}

static struct pci_driver entbind_driver = {
	.name = "entbind",
	.id_table = entbind_ids,
	.probe = entbind_probe,
	.remove = entbind_remove,
};

static int entbind_init(void)
{
	return pci_register_driver(&entbind_driver);
}

static void entbind_exit(void)
{
	pci_unregister_driver(&entbind_driver);
}

module_init(entbind_init);
module_exit(entbind_exit);
